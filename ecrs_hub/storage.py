"""Writing files so that each is either whole or absent.

Django's file-system storage writes straight into the final name: a full disk or a killed
worker leaves a truncated file there, and a later ``exists()`` would trust it for good. Here a
file is written under a temporary name in the same folder, flushed to disk and renamed over
the final name (atomic on POSIX); an existing file is trusted only when its bytes hash to
what it should hold. Object storages (S3 through django-storages) write an object whole or
not at all, so they take the ordinary ``save``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

logger = logging.getLogger(__name__)


class StorageUnavailable(Exception):
    """File storage refused a write (a full disk, a read-only or unreachable volume): a
    transient failure, nothing was committed, the client should retry (503)."""


def _local_path(storage: Storage, name: str) -> Path | None:
    try:
        return Path(storage.path(name))
    except NotImplementedError:  # not on this machine's file system (S3 ...)
        return None


def stored_sha256(name: str, storage: Storage = default_storage) -> str | None:
    """The SHA-256 of the stored file ``name``, or None when there is none."""
    try:
        with storage.open(name, "rb") as handle:
            digest = hashlib.sha256()
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
            return digest.hexdigest()
    except FileNotFoundError:
        return None


def store_whole(name: str, data: bytes, *, sha256: str | None = None, storage: Storage = default_storage) -> bool:
    """Store ``data`` as ``name``, whole. With ``sha256`` (content-addressed names), an
    existing file with those bytes is kept and one with other bytes (a truncated write of an
    older version of the hub) is replaced. Returns whether anything was written. Raises
    ``OSError`` when the storage cannot take the file (a full disk): nothing is left behind
    under ``name`` then."""
    digest = sha256 or hashlib.sha256(data).hexdigest()
    found = stored_sha256(name, storage) if storage.exists(name) else None
    if found == digest:
        return False
    if found is not None:
        logger.warning("stored file %s holds other bytes (%s, expected %s): writing it again", name, found, digest)
    local = _local_path(storage, name)
    if local is None:
        if found is not None:
            storage.delete(name)
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # a concurrent writer stored the same name first
            storage.delete(saved)
        return True
    local.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=local.parent, prefix=f".{local.name}.", suffix=".partial")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, settings.FILE_UPLOAD_PERMISSIONS or 0o644)
        os.replace(temporary, local)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
