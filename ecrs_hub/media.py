"""Stored files (item images, raw pushes) for staff, whatever the storage backend.

In production DEBUG is off and nothing serves MEDIA_ROOT; images in the admin are still
shown through this view, to staff only. With S3-compatible storage, file URLs are signed
bucket URLs and this view is not used.

Raw push bodies (``pushes/…``: what CATAPULT sent, whole) are shown only to staff who may
view the push log (``ecrs_hub.view_push``), as the push log's own pages are."""

import mimetypes
import posixpath

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils._os import safe_join
from django.views.decorators.http import require_GET

PUSH_BODIES = "pushes/"


@require_GET
@staff_member_required
def staff_media(request, path: str):
    try:
        safe_join("/media-root", path)  # refuses ../ and absolute paths
    except SuspiciousFileOperation:
        raise Http404("No such file") from None
    path = posixpath.normpath(path).lstrip("/")  # "item-images/../pushes/…" is a push body too
    if path.startswith(PUSH_BODIES) and not request.user.has_perm("ecrs_hub.view_push"):
        raise PermissionDenied("Viewing raw pushes needs the push log's view permission.")
    if not default_storage.exists(path):
        raise Http404("No such file")
    content_type, _ = mimetypes.guess_type(path)
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
