"""Raw push bodies are kept for the retention period, then pruned; the log rows stay."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from ecrs_hub.models import Push, RefusedRequest
from ecrs_hub.services import push_replay
from tests.conftest import fixture_bytes

pytestmark = pytest.mark.django_db


def test_prune_drops_old_bodies_and_files_but_keeps_the_log(pusher, client):
    pusher.items(fixture_bytes("items-page.json"))
    old = Push.objects.get()
    Push.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=31))
    old.refresh_from_db()
    raw_path = default_storage.save("pushes/old.multipart", StringIO("raw"))
    Push.objects.filter(pk=old.pk).update(files=[{"path": raw_path}])
    pusher.items(fixture_bytes("items-page.json"))
    recent = Push.objects.exclude(pk=old.pk).get()
    client.post("/ecrs/items/", b"[]", content_type="application/json")  # refused, counted
    RefusedRequest.objects.update(received_at=timezone.now() - timedelta(days=40))

    out = StringIO()
    call_command("prune_pushes", stdout=out)

    assert "Pruned the bodies of 1 push(es); deleted 1 refused-request row(s)." in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.body is None and old.body_pruned_at is not None and old.status == "ok"
    assert not default_storage.exists(raw_path)
    assert recent.body == fixture_bytes("items-page.json")
    with pytest.raises(ValueError, match="pruned"):
        push_replay(old)
