from django.urls import re_path

from . import apis

# With or without the trailing slash, never a redirect: a redirected POST loses its body.
urlpatterns = [
    re_path(r"^items/?$", apis.ItemsPushApi.as_view(), name="ecrs-items"),
    re_path(r"^images/?$", apis.ImagesPushApi.as_view(), name="ecrs-images"),
    re_path(r"^price-label-settings/?$", apis.PriceLabelSettingsPushApi.as_view(), name="ecrs-price-label-settings"),
]
