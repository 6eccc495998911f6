"""Production: PostgreSQL under gunicorn behind a TLS proxy.

Refuses to start without a real SECRET_KEY; HTTPS redirect, secure cookies and HSTS are on,
so ``manage.py check --deploy`` reports nothing."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import env_bool, env_int

if not os.environ.get("SECRET_KEY") or len(os.environ["SECRET_KEY"]) < 50:
    raise ImproperlyConfigured("production settings need SECRET_KEY (50+ random characters)")
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Sends the "preload" directive (as cookiecutter-django does); it only matters once someone
# submits the domain at hstspreload.org. SECURE_HSTS_PRELOAD=0 leaves it out.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Production always runs behind the TLS proxy, which must overwrite (not pass through)
# X-Forwarded-Proto and append the client's address to X-Forwarded-For.
BEHIND_TLS_PROXY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
