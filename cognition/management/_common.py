"""Argument parsing and progress display shared by the cognition commands."""

from __future__ import annotations

import logging
from datetime import date, datetime, time

from django.core.management.base import CommandError
from django.utils import timezone
from tqdm import tqdm

from ..client import CognitionClient, CognitionError
from ..models import PullRun
from ..services import RunProgress


def parse_moment(value: str, name: str) -> datetime:
    """ISO 8601 date-time (with or without offset: without, the hub's time zone) or a date
    (its midnight in the hub's time zone)."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(text), time(0))
        except ValueError:
            raise CommandError(f"{name} {value!r} is not an ISO 8601 date or date-time") from None
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def make_client() -> CognitionClient:
    # httpx logs every request at INFO: too chatty beside a progress bar.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        return CognitionClient()
    except CognitionError as exc:
        raise CommandError(str(exc)) from exc


class Bar:
    """A tqdm bar over a run's windows, counting lines stored in its postfix."""

    def __init__(self, run: PullRun, stream):
        remaining = run.windows.exclude(status="done").count()
        done = run.windows.count() - remaining
        self.lines = 0
        self.bar = tqdm(
            total=run.windows.count(), initial=done, unit="window", desc=f"Pull {run.pk}", file=stream, leave=True
        )

    def progress(self) -> RunProgress:
        return RunProgress(on_window=self.on_window, on_rows=self.on_rows)

    def on_rows(self, count: int) -> None:
        self.lines += count
        self.bar.set_postfix(lines=self.lines, refresh=True)

    def on_window(self, window) -> None:
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()
