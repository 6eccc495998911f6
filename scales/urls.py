from django.urls import re_path

from . import apis

# With or without the trailing slash, never a redirect: a redirected POST loses its body.
urlpatterns = [
    re_path(r"^scale-items/?$", apis.ScaleItemsPushApi.as_view(), name="ecrs-scale-items"),
    re_path(r"^scale-export/(?P<scale_store_id>[^/]+)/?$", apis.ScaleExportApi.as_view(), name="ecrs-scale-export"),
]
