"""The Instant Item Detail push endpoints (CONTRACT 2.5–2.7)."""

from ecrs_hub.models import Integration, Push
from ecrs_hub.receiving import PushEndpoint, parse_json, push_view, register

from .services import images_ingest, images_parse, items_page_ingest, price_label_settings_ingest

ITEMS = register(PushEndpoint(Push.Endpoint.ITEMS, Integration.Kind.ITEMS, "json", parse_json, items_page_ingest))
IMAGES = register(PushEndpoint(Push.Endpoint.IMAGES, Integration.Kind.ITEMS, "multipart", images_parse, images_ingest))
PRICE_LABEL_SETTINGS = register(
    PushEndpoint(
        Push.Endpoint.PRICE_LABEL_SETTINGS, Integration.Kind.ITEMS, "json", parse_json, price_label_settings_ingest
    )
)

items_push = push_view(ITEMS)
images_push = push_view(IMAGES)
price_label_settings_push = push_view(PRICE_LABEL_SETTINGS)
