"""The Instant Item Detail push endpoints (CONTRACT 2.5–2.7)."""

from django.conf import settings
from rest_framework import serializers

from ecrs_hub.apis import PushApi
from ecrs_hub.ingest import parse_json
from ecrs_hub.models import Integration, Push
from ecrs_hub.schema import many, push_schema, request_component, wire_page, wire_serializer
from ecrs_hub.services import PushEndpoint, register

from . import wire
from .services import images_ingest, images_parse, items_page_ingest, price_label_settings_ingest

ITEMS = register(PushEndpoint(Push.Endpoint.ITEMS, Integration.Kind.ITEMS, "json", parse_json, items_page_ingest))
IMAGES = register(PushEndpoint(Push.Endpoint.IMAGES, Integration.Kind.ITEMS, "multipart", images_parse, images_ingest))
PRICE_LABEL_SETTINGS = register(
    PushEndpoint(
        Push.Endpoint.PRICE_LABEL_SETTINGS, Integration.Kind.ITEMS, "json", parse_json, price_label_settings_ingest
    )
)


# --- what the pushes look like (described from the wire schemas, never validated with) ---

ItemAtStore = wire_serializer(
    "EcrsItemAtStore", wire.STORE, wire.ITEM_STORE, doc="The item at one store, and the store itself."
)
ItemOrdering = wire_serializer("EcrsItemOrdering", wire.ORDERING, (wire.SUPPLIER_NAME,))
Item = wire_serializer(
    "EcrsItem",
    wire.ITEM,
    nested={"stores": many(ItemAtStore), "ordering": many(ItemOrdering)},
    doc="An Instant Item Detail item; a hyphenated recordID is an Alternate ID.",
)
ItemsPage = wire_page("EcrsItemsPage", Item, "items (at most 5,000)")
PriceLabelSetting = wire_serializer("EcrsPriceLabelSetting", wire.SETTING)
PriceLabelType = wire_serializer(
    "EcrsPriceLabelType",
    wire.PRICE_LABEL_TYPE,
    nested={"settings": many(PriceLabelSetting)},
    doc="Each push replaces the whole key/value set of the price label type.",
)
PriceLabelSettingsPage = wire_page("EcrsPriceLabelSettingsPage", PriceLabelType, "price label types")


@request_component
class EcrsImagesUploadSerializer(serializers.Serializer):
    file = serializers.ListField(
        child=serializers.FileField(),
        max_length=settings.ECRS_MAX_IMAGE_FILES,
        help_text="Repeated part; each part's file name is the image name (JPEG, PNG or GIF).",
    )


@push_schema("ecrs_items_push", "Instant Item Detail: a page of items", ItemsPage)
class ItemsPushApi(PushApi):
    """Instant Item Detail: a page of items (at most 5,000), each with its stores and
    supplier units."""

    name = "Items push"
    endpoint = ITEMS


@push_schema("ecrs_images_push", "Instant Item Detail: up to 10 item images", EcrsImagesUploadSerializer)
class ImagesPushApi(PushApi):
    """Instant Item Detail: up to 10 item images, as multipart ``file`` parts named as the
    items reference them."""

    name = "Item images push"
    endpoint = IMAGES


@push_schema("ecrs_price_label_settings_push", "Instant Item Detail: price label type settings", PriceLabelSettingsPage)
class PriceLabelSettingsPushApi(PushApi):
    """Instant Item Detail: price label type settings; each push replaces a type's whole
    key/value set."""

    name = "Price label settings push"
    endpoint = PRICE_LABEL_SETTINGS
