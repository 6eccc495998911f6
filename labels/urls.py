from django.urls import re_path

from . import apis

urlpatterns = [
    re_path(r"^label-export/(?P<store_number>[^/]+)/?$", apis.LabelExportApi.as_view(), name="ecrs-label-export"),
]
