"""What only the catalog admins share: code tables of CATAPULT values and item images. The
toolkit every admin uses (links, formatting, the read-only admin) is ``ecrs_hub.admin.common``."""

from __future__ import annotations

from django.utils.html import format_html

from ecrs_hub.admin.common import (  # noqa: F401  (the catalog admins import the toolkit from here)
    MAX_LINKED,
    ReadOnlyAdmin,
    ReadOnlyInline,
    change_url,
    changelist_url,
    is_null_filter,
    linked_list,
    money,
    pretty_json,
    priced,
)

from ..models import ItemImage

UNIT_OF_MEASURE = {1: "Grams", 2: "Kilograms", 3: "Pounds", 4: "Ounces", 5: "Hundred Grams"}
TARE_TYPE = {0: "None", 1: "Percent", 2: "Fixed", 3: "Percent and Fixed", 4: "Prompt", 5: "Select"}
IMAGE_LABELS = {"image": "Item image", **{f"health_attr_img{n}": f"Health attribute image {n}" for n in range(1, 7)}}


def image_url(path: str) -> str:
    return ItemImage._meta.get_field("file").storage.url(path)


def thumbnail_html(path: str | None, alt: str, css_class: str = "ecrs-thumb"):
    if not path:
        return ""
    return format_html('<img src="{}" alt="{}" class="{}" loading="lazy">', image_url(path), alt, css_class)
