from django.urls import re_path

from . import apis, export

# With or without the trailing slash, never a redirect: a redirected POST loses its body.
urlpatterns = [
    re_path(r"^scale-items/?$", apis.scale_items_push, name="ecrs-scale-items"),
    re_path(r"^scale-export/(?P<scale_store_id>[^/]+)/?$", export.scale_export, name="ecrs-scale-export"),
]
