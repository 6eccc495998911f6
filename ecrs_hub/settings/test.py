"""Settings for pytest: the local settings with fast password hashing and a throw-away
media folder. DATABASE_URL still chooses SQLite or PostgreSQL."""

import tempfile
from pathlib import Path

from .base import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="ecrs-hub-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = MEDIA_ROOT / "static"
STATIC_ROOT.mkdir()
