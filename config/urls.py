from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from ecrs_hub import health
from ecrs_hub.apis import EcrsNotFoundApi
from ecrs_hub.media import staff_media

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("ecrs/", include("items.urls")),
    path("ecrs/", include("scales.urls")),
    path("ecrs/", include("labels.urls")),
    # Unknown /ecrs/ paths answer with the envelope too (CONTRACT 2.2).
    re_path(r"^ecrs/(?P<rest>[\s\S]*)$", EcrsNotFoundApi.as_view()),
    path("pos/", include("coupons.urls")),
    path("api/", include("config.api_urls")),
    path("admin/", admin.site.urls),
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+)$", staff_media, name="staff-media"),
]
