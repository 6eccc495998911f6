from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from ecrs_hub import health
from ecrs_hub.media import staff_media
from ecrs_hub.receiving import envelope


@csrf_exempt
def ecrs_not_found(request, rest=""):
    """Unknown /ecrs/ paths answer with the envelope too (CONTRACT 2.2)."""
    return envelope(False, f"No push endpoint at {request.path}.", 404)


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("ecrs/", include("items.urls")),
    path("ecrs/", include("scales.urls")),
    re_path(r"^ecrs/(?P<rest>.*)$", ecrs_not_found),
    path("pos/", include("coupons.urls")),
    path("api/", include("config.api_urls")),
    path("admin/", admin.site.urls),
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+)$", staff_media, name="staff-media"),
]
