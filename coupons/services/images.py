"""Coupon images kept in the hub's storage and served at /pos/images/<name> (CONTRACT 3.2)."""

from __future__ import annotations

import io
import logging
import re
import urllib.request
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from ..models import Coupon

logger = logging.getLogger("coupons.pos")
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


# --- external images: copied into storage for sites that do not use external images ---

FETCH_TIMEOUT = 4.0
FETCH_MAX_BYTES = 5 * 1024 * 1024
EXTERNAL_NAME = re.compile(r"^coupon-(\d{1,18})$")


def external_image_name(coupon: Coupon) -> str:
    """The name under which a coupon's not-yet-copied external image is served: the first
    request for it copies the image (CONTRACT 3.2)."""
    return f"coupon-{coupon.pk}"


def coupon_image_fetch(*, coupon: Coupon, timeout: float = FETCH_TIMEOUT) -> str:
    """Copy the coupon's external image (http or https) into the hub's storage, so sites
    whose POS does not use external images get it from /pos/images/. JPEG, PNG or GIF only,
    at most 5 MiB. Returns the ``imageUrl``; ImageRejected if it cannot be fetched or is not
    an image."""
    url = coupon.external_image_url
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImageRejected(f"coupon {coupon.coupon_id} has no external http(s) image URL")
    request = urllib.request.Request(url, headers={"User-Agent": "ECRS-Hub coupon images"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content = response.read(FETCH_MAX_BYTES + 1)
    except (OSError, ValueError) as error:
        raise ImageRejected(f"could not fetch {url}: {error}") from None
    if len(content) > FETCH_MAX_BYTES:
        raise ImageRejected(f"{url} is larger than {FETCH_MAX_BYTES} bytes")
    name = PurePosixPath(unquote(parts.path)).name or coupon.coupon_id
    return coupon_image_store(coupon=coupon, name=name, content=content)


def coupon_images_fetch(*, timeout: float = FETCH_TIMEOUT) -> tuple[int, list[str]]:
    """Copy every external image not copied yet. Returns (how many were copied, problems)."""
    copied, problems = 0, []
    for coupon in Coupon.objects.exclude(external_image_url="").filter(image="").order_by("coupon_id"):
        try:
            coupon_image_fetch(coupon=coupon, timeout=timeout)
            copied += 1
        except ImageRejected as error:
            problems.append(f"{coupon.coupon_id}: {error}")
    return copied, problems


# --- serving: /pos/images/<name> ---------------------------------------------------------

SERVED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,250}$")
SERVED_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"GIF8", "image/gif"))


class ImageNotFound(LookupError):
    """No image is served under that name (the message says why, for the POS)."""


def coupon_image_read(*, name: str) -> tuple[bytes, str]:
    """The image served as ``/pos/images/<name>``: its bytes and content type, JPEG, PNG or
    GIF only (checked from the bytes). ``coupon-<pk>`` is a coupon's external image, copied
    into storage now if it was not yet (CONTRACT 3.2); any other name must be a coupon's
    stored image. ImageNotFound otherwise."""
    if not SERVED_NAME.match(name):
        raise ImageNotFound("no such image")
    external = EXTERNAL_NAME.match(name)
    if external:
        coupon = Coupon.objects.filter(pk=int(external.group(1))).first()
        if coupon is None:
            raise ImageNotFound("no such image")
        if not coupon.image:
            try:
                coupon_image_fetch(coupon=coupon)
            except ImageRejected as error:
                logger.warning("coupon %s: external image not copied: %s", coupon.coupon_id, error)
                raise ImageNotFound("the coupon's image could not be fetched") from None
        path = coupon.image.name
    else:
        path = UPLOAD_DIR + name
        if not Coupon.objects.filter(image=path).exists():
            raise ImageNotFound("no such image")
    try:
        with default_storage.open(path, "rb") as handle:
            content = handle.read()
    except OSError:
        raise ImageNotFound("no such image") from None
    for magic, content_type in SERVED_TYPES:
        if content.startswith(magic):
            return content, content_type
    raise ImageNotFound("no such image")
