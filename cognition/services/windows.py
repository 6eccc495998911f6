"""When transaction history may be pulled, and how a range is cut into windows.

The document: "Data should not be pulled for the current day ... For the previous day, data
should only be retrieved after 9:00 AM EST." EST is UTC−5 all year: the previous day is
released at 09:00 UTC−5, which is 10:00 EDT in summer (reading it as New York's clock would
pull an hour early from March to November). Days themselves begin at New York midnight (the
stores' days): before the release the latest allowed end is midnight starting yesterday,
from the release on it is midnight starting today. The API allows at most 26 hours per request and
its bounds are exclusive, so each window starts one second before the previous one ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
EST = timezone(timedelta(hours=-5), "EST")  # the document's clock, never on summer time
RELEASE_TIME = time(9, 0)
MAX_WINDOW = timedelta(hours=26)
OVERLAP = timedelta(seconds=1)


class RangeRefused(ValueError):
    """A range the API rules forbid; ``latest_end`` is the latest allowed end."""

    def __init__(self, message: str, *, latest_end: datetime | None = None):
        super().__init__(message)
        self.latest_end = latest_end


def latest_allowed_end(now: datetime) -> datetime:
    """The latest ingestion end the hub may ask for at ``now`` (aware)."""
    local = now.astimezone(EASTERN)
    today = datetime.combine(local.date(), time(0), tzinfo=EASTERN)
    if now >= datetime.combine(local.date(), RELEASE_TIME, tzinfo=EST):
        return today
    return datetime.combine(local.date() - timedelta(days=1), time(0), tzinfo=EASTERN)


def range_check(*, start: datetime, end: datetime, now: datetime) -> None:
    """Raise :class:`RangeRefused` unless ``start < end <= latest allowed end``."""
    if start.tzinfo is None or end.tzinfo is None:
        raise RangeRefused("start and end must carry a time zone (e.g. 2025-01-20T00:00:00-05:00)")
    if end <= start:
        raise RangeRefused(f"the end ({end.isoformat()}) must be after the start ({start.isoformat()})")
    allowed = latest_allowed_end(now)
    if end > allowed:
        raise RangeRefused(
            f"the range reaches past the latest allowed end {allowed.isoformat()} "
            "(never the current day; the previous day only after 9:00 AM EST, i.e. 09:00 UTC−5, 10:00 in summer)",
            latest_end=allowed,
        )


@dataclass(frozen=True, slots=True)
class Window:
    index: int
    start: datetime
    end: datetime


def windows_for(start: datetime, end: datetime, *, size: timedelta = MAX_WINDOW) -> list[Window]:
    """Windows of at most ``size`` covering (start, end); each starts one second before the
    previous one ends, so a row stamped exactly on a boundary is in the next window."""
    if end <= start:
        return []
    # In UTC: arithmetic on datetimes in a zone with summer time is wall-clock arithmetic,
    # and a 26-hour wall-clock window on the autumn change is 27 real hours.
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if size <= OVERLAP:
        raise ValueError("a window must be longer than the overlap")
    result = []
    window_start = start
    while True:
        window_end = min(window_start + size, end)
        result.append(Window(len(result), window_start, window_end))
        if window_end >= end:
            return result
        window_start = window_end - OVERLAP
