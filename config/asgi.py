"""ASGI entry point (``uvicorn config.asgi:application``), with the same default settings as
manage.py and wsgi.py. The hub is served by gunicorn's WSGI workers in production; this is
here for servers that speak ASGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_asgi_application()
