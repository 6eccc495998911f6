"""A push whose processing died (its worker killed, its database stopped mid-push) does not
stay "received" for ever: past ECRS_PUSH_INTERRUPTED_AFTER it is ``interrupted``, counted as a
failure on the dashboard and in the push log, and replayable (CONTRACT 2.3)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from config.dashboard import dashboard_for
from ecrs_hub.models import Push
from ecrs_hub.services import endpoint_for, push_record, push_replay
from items.models import Item
from tests.conftest import fixture_bytes

pytestmark = pytest.mark.django_db

SAMPLE = fixture_bytes("items-page.json")


def orphan(items_key, *, age_seconds: int) -> Push:
    """A push recorded raw, as the receiving worker does first, whose worker then died."""
    push = push_record(
        integration=items_key.integration, spec=endpoint_for("items"), body=SAMPLE, content_type="application/json"
    )
    Push.objects.filter(pk=push.pk).update(received_at=timezone.now() - timedelta(seconds=age_seconds))
    return Push.objects.get(pk=push.pk)


def test_an_unfinished_push_older_than_the_request_timeout_is_interrupted_and_counted(items_key, admin_user, settings):
    settings.ECRS_PUSH_INTERRUPTED_AFTER = 300
    dead = orphan(items_key, age_seconds=400)
    in_flight = orphan(items_key, age_seconds=10)  # a live worker may still finish this one
    health = dashboard_for(admin_user).integrations  # counted as failed even before any sweep
    assert [(row.integration.name, row.failures_24h) for row in health] == [(items_key.integration.name, 1)]

    out = StringIO()
    call_command("mark_interrupted_pushes", stdout=out)

    assert "Marked 1 push(es) interrupted" in out.getvalue()
    dead.refresh_from_db()
    in_flight.refresh_from_db()
    assert dead.status == "interrupted" and "replay it" in dead.message
    assert in_flight.status == "received"
    health = dashboard_for(admin_user).integrations
    assert [(row.integration.name, row.failures_24h) for row in health] == [(items_key.integration.name, 1)]


def test_the_push_log_marks_them_itself_and_lists_them_among_the_problems(admin_client, items_key):
    dead = orphan(items_key, age_seconds=3600)

    page = admin_client.get("/admin/ecrs_hub/push/")

    assert page.status_code == 200
    dead.refresh_from_db()
    assert dead.status == "interrupted"
    assert "Interrupted" in page.content.decode()
    api = admin_client.get("/api/pushes/", {"status": "interrupted"})
    assert [row["id"] for row in api.json()["results"]] == [dead.pk]


def test_an_interrupted_push_replays_and_stores_its_records(items_key):
    dead = orphan(items_key, age_seconds=3600)
    call_command("mark_interrupted_pushes", stdout=StringIO())
    assert not Item.objects.exists()

    replay = push_replay(Push.objects.get(pk=dead.pk))

    assert replay.status == "ok" and replay.replay_of_id == dead.pk
    assert Item.objects.exists()
