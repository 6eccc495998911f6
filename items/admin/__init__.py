"""Staff UI for the catalog CATAPULT pushes. CATAPULT owns every row here, so the admin
only shows: no add, change or delete. References kept as identifiers (image names, price
label type ids, alternate → base) are resolved for display, whichever side arrived first.

List pages annotate what they show (counts, image paths, base item ids) with correlated
subqueries, so a page costs the same few queries whatever its length.

One module per area; importing them registers the admins. The shared pieces other apps'
admins use (``from items.admin import ReadOnlyAdmin, changelist_url, ...``) stay importable
from here."""

from . import images, item_stores, items, price_labels, stores, suppliers
from .common import (
    IMAGE_LABELS,
    MAX_LINKED,
    TARE_TYPE,
    UNIT_OF_MEASURE,
    ReadOnlyAdmin,
    ReadOnlyInline,
    change_url,
    changelist_url,
    image_url,
    is_null_filter,
    linked_list,
    money,
    pretty_json,
    priced,
    thumbnail_html,
)
from .images import ItemImageAdmin, ReferencedFilter
from .item_stores import ItemStoreAdmin, PriceLabelTypeFilter
from .items import AlternateFilter, DeletedAtStoreFilter, ItemAdmin, ItemStoreInline, ItemSupplierInline, StoreFilter
from .price_labels import PriceLabelTypeAdmin
from .stores import StoreAdmin
from .suppliers import ItemSupplierAdmin, SupplierAdmin

__all__ = [
    "IMAGE_LABELS",
    "MAX_LINKED",
    "TARE_TYPE",
    "UNIT_OF_MEASURE",
    "AlternateFilter",
    "DeletedAtStoreFilter",
    "ItemAdmin",
    "ItemImageAdmin",
    "ItemStoreAdmin",
    "ItemStoreInline",
    "ItemSupplierAdmin",
    "ItemSupplierInline",
    "PriceLabelTypeAdmin",
    "PriceLabelTypeFilter",
    "ReadOnlyAdmin",
    "ReadOnlyInline",
    "ReferencedFilter",
    "StoreAdmin",
    "StoreFilter",
    "SupplierAdmin",
    "change_url",
    "changelist_url",
    "image_url",
    "images",
    "is_null_filter",
    "item_stores",
    "items",
    "linked_list",
    "money",
    "pretty_json",
    "price_labels",
    "priced",
    "stores",
    "suppliers",
    "thumbnail_html",
]
