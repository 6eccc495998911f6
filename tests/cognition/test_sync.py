"""cognition_sync: pulls what became available since the last successful sync, nothing
twice, and never two at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from cognition.models import PullRun, SyncLock, Transaction
from cognition.services import SyncBusy, sync_lock
from cognition.services.pull import ADVISORY_KEY, LOCK_NAME

pytestmark = pytest.mark.django_db

DAY1 = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)  # 09:30 Eastern on 5 March


def sync(clock):
    with time_machine.travel(clock, tick=False):
        call_command("cognition_sync")


def requested(fake):
    return [(r["query"]["ingestionStartTime"][0], r["query"]["ingestionEndTime"][0]) for r in fake.requests]


def test_sync_pulls_new_data_once(fake_cognition, settings):
    settings.COGNITION_SYNC_FIRST_HOURS = 48
    sync(DAY1)
    # First sync: the 48 hours before the latest allowed end (midnight starting 5 March).
    assert requested(fake_cognition) == [
        ("2026-03-03T05:00:00.000Z", "2026-03-04T07:00:00.000Z"),
        ("2026-03-04T06:59:59.000Z", "2026-03-05T05:00:00.000Z"),
    ]
    count = Transaction.objects.count()
    assert count > 0

    fake_cognition.requests.clear()
    sync(DAY1 + timedelta(hours=1))  # the next hourly run: nothing new yet
    sync(datetime(2026, 3, 6, 13, 59, tzinfo=UTC))  # 08:59 Eastern next day: still nothing
    assert fake_cognition.requests == []

    sync(datetime(2026, 3, 6, 14, 0, tzinfo=UTC))  # 09:00 Eastern: 5 March is released
    # From one second before the last end: a row stamped exactly on it is not lost.
    assert requested(fake_cognition) == [("2026-03-05T04:59:59.000Z", "2026-03-06T05:00:00.000Z")]
    assert Transaction.objects.count() > count
    assert list(PullRun.objects.order_by("id").values_list("kind", "status")) == [("sync", "done"), ("sync", "done")]


def test_sync_skips_what_a_manual_pull_already_fetched(fake_cognition, settings):
    settings.COGNITION_SYNC_FIRST_HOURS = 24
    sync(DAY1)  # up to midnight starting 5 March
    with time_machine.travel(datetime(2026, 3, 7, 15, 0, tzinfo=UTC), tick=False):
        # An operator pulls 5 March by hand, and an older day (not next to the frontier).
        call_command("cognition_pull_transactions", "--start", "2026-03-04T23:00:00-05:00", "--end", "2026-03-06")
        call_command("cognition_pull_transactions", "--start", "2026-02-01", "--end", "2026-02-02")
    fake_cognition.requests.clear()
    sync(datetime(2026, 3, 7, 15, 0, tzinfo=UTC))  # 10:00 Eastern, 7 March: 6 March is new
    # From the end of the manual pull (midnight starting 6 March), not from 5 March again.
    assert requested(fake_cognition) == [("2026-03-06T04:59:59.000Z", "2026-03-07T05:00:00.000Z")]


def test_a_failed_sync_is_resumed_by_the_next(fake_cognition, settings):
    settings.COGNITION_SYNC_FIRST_HOURS = 48
    settings.COGNITION_RETRIES = 0
    fake_cognition.fail_request(2, 502)
    with pytest.raises(CommandError, match="The next sync resumes it"):
        sync(DAY1)
    fake_cognition.requests.clear()
    sync(DAY1 + timedelta(hours=1))
    assert requested(fake_cognition) == [("2026-03-04T06:59:59.000Z", "2026-03-05T05:00:00.000Z")]
    assert PullRun.objects.get().status == "done"


def test_a_second_sync_exits_while_the_first_holds_the_lease(fake_cognition):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL uses the advisory lock: see the test below")
    SyncLock.objects.create(name=LOCK_NAME, holder="other-host:123", locked_until=DAY1 + timedelta(hours=1))
    with pytest.raises(CommandError, match="another cognition_sync is running"):
        sync(DAY1)
    assert fake_cognition.requests == []
    # A lease left by a killed process expires.
    sync(DAY1 + timedelta(hours=2))
    assert fake_cognition.requests
    assert SyncLock.objects.get().holder == ""


def test_the_lease_is_exclusive_and_released(db):
    if connection.vendor == "postgresql":
        pytest.skip("an advisory lock is re-entrant within one session: see the two-connection test")
    with sync_lock(), pytest.raises(SyncBusy):  # noqa: SIM117
        with sync_lock():
            pass
    with sync_lock():  # released after use
        pass


@pytest.mark.postgres
def test_postgres_advisory_lock_keeps_a_second_sync_out(fake_cognition):
    import psycopg

    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
        with pytest.raises(CommandError, match="advisory lock held"):
            sync(DAY1)
        assert fake_cognition.requests == []
        other.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
    sync(DAY1)
    assert fake_cognition.requests
