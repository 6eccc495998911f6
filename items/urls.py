from django.urls import re_path

from . import apis

# With or without the trailing slash, never a redirect: a redirected POST loses its body.
urlpatterns = [
    re_path(r"^items/?$", apis.items_push, name="ecrs-items"),
    re_path(r"^images/?$", apis.images_push, name="ecrs-images"),
    re_path(r"^price-label-settings/?$", apis.price_label_settings_push, name="ecrs-price-label-settings"),
]
