"""WSGI entry point for gunicorn: ``gunicorn config.wsgi``. Same default settings as
manage.py; production sets DJANGO_SETTINGS_MODULE=config.settings.production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_wsgi_application()
