"""Liveness and readiness for operators and load balancers."""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """The database answers: the hub can take pushes and POS calls. The probe is public, so
    an outage is told as "database unavailable" only; the reason (which names the database
    host and port) goes to the hub's log."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("readiness: database unavailable: %s", str(exc).strip()[:500])
        return JsonResponse({"status": "unavailable", "database": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
