"""Ingesting Item Images (CONTRACT 2.6): ``multipart/form-data`` with up to ten ``file``
parts, each named as items reference it (``4494967296501.jpg``).

The raw multipart body is written to file storage before it is parsed (so a malformed or
rejected upload is still kept and can be replayed); each accepted image is decoded to prove
it is a raster image Pillow reads (JPEG, PNG, GIF, BMP, WebP, TIFF ...: the document sets no
format) and stored content-addressed through Django's storage API, so the same bytes are
stored once and a name is only ever a database value, never a path. A stored file is whole
or absent: it is written under a temporary name and renamed, and an existing file is trusted
only when its bytes hash to its name.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.db import transaction
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from ecrs_hub.coercion import Problem
from ecrs_hub.ingest import BadRequest, IngestResult, push_lock_timeout
from ecrs_hub.models import Push
from ecrs_hub.storage import store_whole

from .. import lock_objects
from ..models import ItemImage, image_extension

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 255
# What a new file under a known name changes (the name and created_at stay).
IMAGE_CONTENT_FIELDS = [
    "sha256",
    "format",
    "width",
    "height",
    "size",
    "file",
    "updated_at",
    "last_push",
    "unreferenced_since",
]


def unsafe_name_reason(name: str) -> str | None:
    """Why a file name cannot be an image name, or None. Names are plain file names."""
    if not name or not name.strip():
        return "is empty"
    if "/" in name or "\\" in name:
        return "contains a path separator"
    if ".." in name:
        return 'contains ".."'
    if any(not char.isprintable() for char in name):
        return "contains control characters"
    if name.startswith("."):
        return "starts with a dot"
    if len(name) > MAX_NAME_LENGTH:
        return f"is longer than {MAX_NAME_LENGTH} characters"
    return None


class _ImageMultiPartParser(MultiPartParser):
    """Django's parser cuts a file name down to its last path part and drops control
    characters; the hub refuses such a file instead of storing it under another name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused_names: list[tuple[str, str]] = []

    def sanitize_file_name(self, file_name):
        raw = html.unescape(file_name)
        reason = unsafe_name_reason(raw)
        if reason:
            self.refused_names.append((raw, reason))
            return None
        return super().sanitize_file_name(file_name)


@dataclass
class UploadedImage:
    field: str
    name: str
    data: bytes


@dataclass
class ImagePayload:
    files: list[UploadedImage]
    refused_names: list[tuple[str, str]]
    other_fields: list[str]


def images_parse(push: Push, body: bytes) -> ImagePayload:
    """The multipart form (the raw body is already in file storage)."""
    meta = {"CONTENT_TYPE": push.content_type, "CONTENT_LENGTH": str(len(body))}
    handlers = [MemoryFileUploadHandler(), TemporaryFileUploadHandler()]
    try:
        parser = _ImageMultiPartParser(meta, io.BytesIO(body), handlers, settings.DEFAULT_CHARSET)
        fields, files = parser.parse()
    except (MultiPartParserError, TooManyFilesSent, TooManyFieldsSent, RequestDataTooBig, ValueError) as exc:
        raise BadRequest(f"Body is not a readable multipart/form-data upload: {exc}.") from None
    uploads = []
    for field_name, parts in files.lists():
        for part in parts:
            uploads.append(UploadedImage(field_name, part.name, part.read()))
    count = len(uploads) + len(parser.refused_names)
    if count == 0:
        raise BadRequest('No files: send each image as a "file" part of multipart/form-data.')
    if count > settings.ECRS_MAX_IMAGE_FILES:
        raise BadRequest(f"{count} files in one request: at most {settings.ECRS_MAX_IMAGE_FILES} are accepted.")
    return ImagePayload(uploads, parser.refused_names, sorted(fields))


@dataclass
class _Decoded:
    name: str
    data: bytes
    sha256: str
    format: str
    width: int
    height: int


def _decode(upload: UploadedImage, path: str) -> _Decoded | Problem:
    try:
        with Image.open(io.BytesIO(upload.data)) as image:
            image_format, (width, height) = image.format, image.size
            image.verify()
        # verify() checks structure only (and not every format has it); loading proves the
        # pixel data decodes too.
        with Image.open(io.BytesIO(upload.data)) as image:
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        return Problem(path, f"is not a readable image ({type(exc).__name__})", upload.name)
    if not image_format or not image_extension(image_format):
        return Problem(path, "is not a readable image (no known format)", upload.name)
    sha256 = hashlib.sha256(upload.data).hexdigest()
    return _Decoded(upload.name, upload.data, sha256, image_format, width, height)


def images_ingest(*, push: Push, payload: ImagePayload) -> IngestResult:
    result = IngestResult(noun="images")
    result.records = len(payload.files) + len(payload.refused_names)
    for name, reason in payload.refused_names:
        result.reject([Problem(f"file {name!r}", f"refused: the name {reason}")])
    if payload.other_fields:
        result.warn(f"ignored form fields: {', '.join(payload.other_fields)}")
    decoded: dict[str, _Decoded] = {}
    for index, upload in enumerate(payload.files):
        path = f"file[{index}]"
        if upload.field != "file":
            result.warn(f'{path}: sent as field "{upload.field}", expected "file"; accepted')
        outcome = _decode(upload, path)
        if isinstance(outcome, Problem):
            result.reject([outcome])
            continue
        if outcome.name in decoded:
            result.warn(f"{path}: {outcome.name} appears twice; the later file wins")
            result.records -= 1
        decoded[outcome.name] = outcome

    # Files first (content-addressed, so writing one that is already there is a no-op);
    # a transaction that then fails leaves at most an unreferenced blob behind.
    for image in decoded.values():
        _store_blob(image)

    now = timezone.now()
    replaced_paths = []
    with transaction.atomic():
        push_lock_timeout()
        existing = {image.name: image for image in lock_objects.item_images_for_update(names=decoded)}
        for name, image in decoded.items():
            row = existing.get(name)
            if row is not None and row.sha256 == image.sha256:
                result.unchanged += 1
                continue
            created = row is None
            if created:
                row = ItemImage(name=name, created_at=now)
                result.created += 1
            else:
                replaced_paths.append(row.file.name)
                result.updated += 1
            row.sha256, row.format = image.sha256, image.format
            row.width, row.height, row.size = image.width, image.height, len(image.data)
            row.file.name = _blob_path(image)
            row.updated_at, row.last_push, row.unreferenced_since = now, push, None
            if created:
                row.save(force_insert=True)
            else:
                row.save(update_fields=IMAGE_CONTENT_FIELDS)
        transaction.on_commit(lambda: delete_unused_blobs(replaced_paths))
    return result


def _blob_path(image: _Decoded) -> str:
    return f"item-images/{image.sha256[:2]}/{image.sha256}{image_extension(image.format)}"


def _store_blob(image: _Decoded) -> None:
    store_whole(_blob_path(image), image.data, sha256=image.sha256)


def delete_unused_blobs(paths: list[str]) -> None:
    """Delete stored image files no image row points at any more."""
    if not paths:
        return
    still_used = set(ItemImage.objects.filter(file__in=paths).values_list("file", flat=True))
    for path in set(paths) - still_used:
        try:
            default_storage.delete(path)
        except OSError:
            logger.warning("could not delete unused image file %s", path)
