"""Windows of at most 26 hours overlapping by one second, and the day rules: never the
current day, the previous day only from 09:00 US/Eastern."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from cognition.models import PullRun
from cognition.services import RangeRefused, latest_allowed_end, range_check, windows_for

EASTERN = ZoneInfo("America/New_York")


def eastern(*args) -> datetime:
    return datetime(*args, tzinfo=EASTERN)


def test_windows_are_at_most_26_hours_and_overlap_by_one_second():
    start, end = eastern(2026, 3, 1), eastern(2026, 3, 5, 12)
    windows = windows_for(start, end)
    assert windows[0].start == start and windows[-1].end == end
    for window in windows:
        assert timedelta(0) < window.end - window.start <= timedelta(hours=26)
    for previous, following in pairwise(windows):
        assert following.start == previous.end - timedelta(seconds=1)
    # 108 hours in steps of 26 h less the one-second overlap: five windows.
    assert len(windows) == 5
    assert [w.index for w in windows] == [0, 1, 2, 3, 4]


def test_windows_count_real_hours_across_the_autumn_clock_change():
    # 1 November 2026: 02:00 EDT becomes 01:00 EST, the day has 25 hours.
    windows = windows_for(eastern(2026, 10, 31, 12), eastern(2026, 11, 2, 12))
    for window in windows:
        assert window.end.astimezone(UTC) - window.start.astimezone(UTC) <= timedelta(hours=26)
    assert windows[0].end.astimezone(UTC) - windows[0].start.astimezone(UTC) == timedelta(hours=26)
    assert windows[-1].end == eastern(2026, 11, 2, 12)


def test_a_short_range_is_one_window():
    start = eastern(2026, 3, 1)
    assert [(w.start, w.end) for w in windows_for(start, start + timedelta(hours=26))] == [
        (start, start + timedelta(hours=26))
    ]


@pytest.mark.parametrize(
    ("now", "latest"),
    [
        (eastern(2026, 3, 5, 8, 59, 59), eastern(2026, 3, 4)),  # before 09:00: not yesterday yet
        (eastern(2026, 3, 5, 9, 0), eastern(2026, 3, 5)),  # from 09:00: yesterday too
        (eastern(2026, 3, 5, 23, 30), eastern(2026, 3, 5)),  # never today
        (eastern(2026, 7, 5, 8, 30), eastern(2026, 7, 4)),  # summer time (EDT) as well
        # 9:00 AM EST is 10:00 EDT: in summer yesterday is released an hour later by the clock.
        (eastern(2026, 7, 5, 9, 30), eastern(2026, 7, 4)),
        (eastern(2026, 7, 5, 9, 59, 59), eastern(2026, 7, 4)),
        (eastern(2026, 7, 5, 10, 0), eastern(2026, 7, 5)),
        # just after New York midnight in summer, UTC−5 still reads the day before: today's
        # release has not come, and the day that began at midnight is never allowed
        (eastern(2026, 7, 5, 0, 30), eastern(2026, 7, 4)),
    ],
)
def test_latest_allowed_end(now, latest):
    assert latest_allowed_end(now.astimezone(UTC)) == latest


def test_range_check_refuses_the_current_day_and_names_the_latest_end():
    now = eastern(2026, 3, 5, 10)
    range_check(start=eastern(2026, 3, 4), end=eastern(2026, 3, 5), now=now)
    with pytest.raises(RangeRefused) as refused:
        range_check(start=eastern(2026, 3, 4), end=eastern(2026, 3, 5, 0, 0, 1), now=now)
    assert refused.value.latest_end == eastern(2026, 3, 5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("clock", "end", "allowed"),
    [
        (eastern(2026, 3, 5, 8, 0), "2026-03-05T00:00:00-05:00", False),  # yesterday before 09:00
        (eastern(2026, 3, 5, 9, 30), "2026-03-05T00:00:00-05:00", True),  # yesterday after 09:00
        (eastern(2026, 3, 5, 9, 30), "2026-03-05T10:00:00-05:00", False),  # today
    ],
)
def test_pull_command_applies_the_day_rules(fake_cognition, clock, end, allowed, capsys):
    with time_machine.travel(clock, tick=False):
        if allowed:
            call_command("cognition_pull_transactions", "--start", "2026-03-04T00:00:00-05:00", "--end", end)
            assert PullRun.objects.get().status == "done"
            assert fake_cognition.requests
        else:
            with pytest.raises(CommandError) as refused:
                call_command("cognition_pull_transactions", "--start", "2026-03-04T00:00:00-05:00", "--end", end)
            latest = latest_allowed_end(clock)
            assert f"Latest allowed end: {latest.isoformat()}" in str(refused.value)
            assert "Nothing was pulled" in str(refused.value)
            assert fake_cognition.requests == []
            assert not PullRun.objects.exists()


def test_refused_range_exits_non_zero_from_manage_py():
    tomorrow = (datetime.now(EASTERN) + timedelta(days=1)).date().isoformat()
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "manage.py", "cognition_pull_transactions", "--start", "2026-01-01", "--end", tomorrow],
        cwd=root,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "COGNITION_ACCOUNT": "1",
            "COGNITION_API_KEY": "k",
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
        },
        timeout=60,
    )
    assert result.returncode != 0
    assert "Latest allowed end:" in result.stderr


def test_bad_dates_name_the_option(db):
    with pytest.raises(CommandError, match="--start 'yesterday' is not an ISO 8601"):
        call_command("cognition_pull_transactions", "--start", "yesterday", "--end", "2026-01-01")


@pytest.mark.django_db
def test_missing_credentials_are_named_before_anything_is_recorded(settings):
    settings.COGNITION_API_KEY = None
    with (
        time_machine.travel(eastern(2026, 3, 5, 10), tick=False),
        pytest.raises(CommandError, match="COGNITION_API_KEY"),
    ):
        call_command("cognition_pull_transactions", "--start", "2026-03-03", "--end", "2026-03-04")
    assert not PullRun.objects.exists()
