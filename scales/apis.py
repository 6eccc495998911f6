"""The Price Computing Scale push endpoint (CONTRACT 2.8)."""

from ecrs_hub.models import Integration, Push
from ecrs_hub.receiving import PushEndpoint, parse_json, push_view, register

from .services import scale_items_ingest

SCALE_ITEMS = register(
    PushEndpoint(Push.Endpoint.SCALE_ITEMS, Integration.Kind.SCALES, "json", parse_json, scale_items_ingest)
)

scale_items_push = push_view(SCALE_ITEMS)
