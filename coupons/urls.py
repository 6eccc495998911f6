"""The POS coupon API (CONTRACT 3), mounted at /pos/. One entry point routes every path
(coupons.apis: aliases, repeated slashes, optional trailing slash, shape routing), so a
POS never meets a redirect or an HTML 404."""

from django.urls import re_path

from .apis import pos_entry

app_name = "pos"

urlpatterns = [
    re_path(r"^(?P<rest>[\s\S]*)$", pos_entry, name="entry"),
]
