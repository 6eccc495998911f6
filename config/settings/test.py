"""Settings for pytest: the local settings with fast password hashing and a throw-away
media folder. DATABASE_URL still chooses SQLite or PostgreSQL."""

import tempfile
from pathlib import Path

from .base import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A private folder per test process holding media and static files: a test that checks
# nothing was written beside the media folder looks at this folder, not at the shared /tmp
# where other processes (xdist workers, other runs) create files of their own.
TEST_FILES = Path(tempfile.mkdtemp(prefix="ecrs-hub-test-"))
MEDIA_ROOT = TEST_FILES / "media"
MEDIA_ROOT.mkdir()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = TEST_FILES / "static"
STATIC_ROOT.mkdir()
