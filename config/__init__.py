"""The project shell, on top of every app: settings, root URLs, the staff API router, the
OpenAPI schema assembly, the admin dashboard and the WSGI/ASGI entry points. Nothing below
imports it."""
