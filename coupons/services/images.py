"""Coupon images kept in the hub's storage and served at /pos/images/<name> (CONTRACT 3.2)."""

from __future__ import annotations

import io
import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from ..models import Coupon

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif"}
UPLOAD_DIR = "coupon-images/"


class ImageRejected(ValueError):
    """Not a JPEG, PNG or GIF, or a name that is not a plain file name."""


def image_format(content: bytes) -> str:
    """JPEG, PNG or GIF as decoded from the bytes (never from the name), else ImageRejected."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ImageRejected(f"not an image: {error}") from None
    if kind not in FORMATS:
        raise ImageRejected(f"{kind} images are not served to the POS (JPEG, PNG or GIF only)")
    return kind


@transaction.atomic
def coupon_image_store(*, coupon: Coupon, name: str, content: bytes) -> str:
    """Store ``content`` as the coupon's image under a plain file name derived from
    ``name`` (its extension follows the decoded format). Returns the ``imageUrl`` the POS
    gets (``images/<stored name>``). The previous file is deleted."""
    kind = image_format(content)
    stem = (name or coupon.coupon_id).rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = re.sub(r"[^A-Za-z0-9._-]", "-", stem).strip(".-") or "coupon"
    file_name = f"{stem[:100]}{FORMATS[kind]}"
    if not NAME.match(file_name):
        raise ImageRejected(f"{name!r} is not a plain file name")
    old = coupon.image.name if coupon.image else ""
    prefix = re.sub(r"[^A-Za-z0-9._-]", "-", coupon.coupon_id)
    coupon.image.save(f"{prefix}-{file_name}", ContentFile(content), save=False)
    coupon.updated_at = timezone.now()
    coupon.save(update_fields=["image", "updated_at"])
    if old and old != coupon.image.name:
        transaction.on_commit(lambda: coupon.image.storage.delete(old))
    return "images/" + coupon.image.name.rsplit("/", 1)[-1]
