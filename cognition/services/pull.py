"""Pulling transaction history range by range, window by window (CONTRACT 4).

A run records its windows before the first request; each window is marked done only after
all its rows are stored. Run again with the same range, an unfinished run continues with
its first window not done. ``cognition_sync`` pulls from where the last successful sync
ended (less the one-second overlap) to the latest allowed end, under a lock.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..client import CognitionClient, CognitionError
from ..models import PullRun, PullWindow, SyncLock
from .ingest import BATCH_ROWS, RowReader, rows_store
from .windows import OVERLAP, RangeRefused, latest_allowed_end, range_check, windows_for

log = logging.getLogger(__name__)

Progress = Callable[[PullWindow, int], None]


class PullFailed(Exception):
    """A window failed; the run keeps its progress and resumes when run again."""

    def __init__(self, message: str, *, run: PullRun):
        super().__init__(message)
        self.run = run


class SyncBusy(Exception):
    """Another cognition_sync holds the lock."""


def pull_run_prepare(
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    kind: str = PullRun.Kind.MANUAL,
    status: int = 0,
    all_void: int = 0,
) -> PullRun:
    """The run for this range: the unfinished one with the same range and filters (to
    resume), or a new one with its windows. Raises RangeRefused for a forbidden range."""
    range_check(start=start, end=end, now=now)  # before any query: a refusal touches nothing
    with transaction.atomic():
        return _run_for_range(start=start, end=end, now=now, kind=kind, status=status, all_void=all_void)


def _run_for_range(*, start, end, now, kind, status, all_void) -> PullRun:
    unfinished = (
        PullRun.objects.filter(
            start=start,
            end=end,
            kind=kind,
            transaction_status=status,
            all_void=all_void,
            status__in=[PullRun.Status.RUNNING, PullRun.Status.FAILED],
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if unfinished is not None:
        return unfinished
    run = PullRun.objects.create(
        kind=kind, start=start, end=end, transaction_status=status, all_void=all_void, created_at=now
    )
    PullWindow.objects.bulk_create(
        PullWindow(run=run, index=window.index, start=window.start, end=window.end)
        for window in windows_for(start, end)
    )
    return run


def _batches(rows: Iterator[dict], size: int) -> Iterator[list[dict]]:
    while batch := list(islice(rows, size)):
        yield batch


def window_pull(
    *, window: PullWindow, client: CognitionClient, fmt: str = "json", on_rows: Callable[[int], None] | None = None
) -> PullWindow:
    """Request one window and store its rows batch by batch. Raises CognitionError (the
    window stays not done, its error recorded)."""
    run = window.run
    PullWindow.objects.filter(pk=window.pk).update(attempts=F("attempts") + 1)
    reader = RowReader()
    transactions = lines = skipped = 0
    problems: list[str] = []
    try:
        rows = client.transaction_history(
            start=window.start, end=window.end, status=run.transaction_status, all_void=run.all_void, fmt=fmt
        )
        offset = 0
        for batch in _batches(rows, BATCH_ROWS):
            result = rows_store(batch, reader=reader, offset=offset)
            offset += len(batch)
            transactions += result.transactions
            lines += result.lines
            skipped += result.skipped
            problems.extend(result.problems[: 5 - len(problems)])
            if on_rows:
                on_rows(result.lines)
    except CognitionError as exc:
        window.status = PullWindow.Status.FAILED
        window.error = str(exc)
        window.save(update_fields=["status", "error"])
        raise
    window.status = PullWindow.Status.DONE
    window.transactions, window.lines = transactions, lines
    window.error = f"{skipped} rows skipped: " + " | ".join(problems) if skipped else ""
    window.finished_at = timezone.now()
    with transaction.atomic():
        window.save(update_fields=["status", "transactions", "lines", "error", "finished_at"])
        PullRun.objects.filter(pk=run.pk).update(
            transactions=F("transactions") + transactions, lines=F("lines") + lines
        )
    return window


@dataclass
class RunProgress:
    """Callbacks a command passes to show progress."""

    on_window: Callable[[PullWindow], None] | None = None
    on_rows: Callable[[int], None] | None = None


def pull_run_execute(
    *, run: PullRun, client: CognitionClient, fmt: str | None = None, progress: RunProgress | None = None
) -> PullRun:
    """Pull every window of ``run`` not done yet, in order. On a failure the run is marked
    failed with the error and PullFailed is raised; the done windows stay done."""
    fmt = fmt or settings.COGNITION_FORMAT
    progress = progress or RunProgress()
    if run.status != PullRun.Status.RUNNING:
        run.status, run.error = PullRun.Status.RUNNING, ""
        run.save(update_fields=["status", "error"])
    for window in run.windows.exclude(status=PullWindow.Status.DONE).order_by("index"):
        window.run = run
        try:
            window_pull(window=window, client=client, fmt=fmt, on_rows=progress.on_rows)
        except CognitionError as exc:
            run.status, run.error = PullRun.Status.FAILED, f"window {window.index}: {exc}"
            run.save(update_fields=["status", "error"])
            raise PullFailed(run.error, run=run) from exc
        if progress.on_window:
            progress.on_window(window)
    run.refresh_from_db(fields=["transactions", "lines"])
    run.status, run.finished_at = PullRun.Status.DONE, timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run


# --- the hourly sync ----------------------------------------------------------------------

LOCK_NAME = "cognition_sync"
ADVISORY_KEY = 0x636F676E  # "cogn"
LEASE = timedelta(hours=6)


@contextmanager
def sync_lock(*, now: datetime | None = None) -> Iterator[None]:
    """Held while a sync runs; raises SyncBusy at once if another holds it. PostgreSQL: a
    session advisory lock (freed by the server if the process dies). Elsewhere: a lease row
    taken by one conditional UPDATE (expires after LEASE, in case a process was killed)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
            (acquired,) = cursor.fetchone()
        if not acquired:
            raise SyncBusy("another cognition_sync is running (PostgreSQL advisory lock held)")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
        return
    now = now or timezone.now()
    holder = f"{socket.gethostname()}:{os.getpid()}:{now.timestamp()}"
    SyncLock.objects.get_or_create(name=LOCK_NAME)
    taken = (
        SyncLock.objects.filter(name=LOCK_NAME)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(holder=holder, locked_until=now + LEASE)
    )
    if not taken:
        lock = SyncLock.objects.get(name=LOCK_NAME)
        raise SyncBusy(f"another cognition_sync is running ({lock.holder}, lease until {lock.locked_until})")
    try:
        yield
    finally:
        SyncLock.objects.filter(name=LOCK_NAME, holder=holder).update(holder="", locked_until=None)


def sync_next_range(*, now: datetime) -> tuple[datetime, datetime] | None:
    """(start, end) of what has become available since the last successful pull, or None.

    The frontier is the end of the last successful sync (the first sync starts
    COGNITION_SYNC_FIRST_HOURS before the allowed end), carried forward over successful
    manual pulls (same filters) that start before it, so a range an operator pulled by hand
    is not pulled again. The start is one second before the frontier (exclusive bounds)."""
    end = latest_allowed_end(now).astimezone(UTC)  # real hours, not wall-clock, across summer time
    done = list(
        PullRun.objects.filter(status=PullRun.Status.DONE, transaction_status=0, all_void=0).values_list(
            "kind", "start", "end"
        )
    )
    sync_ends = [run_end for kind, _start, run_end in done if kind == PullRun.Kind.SYNC]
    frontier = max(sync_ends) if sync_ends else end - timedelta(hours=settings.COGNITION_SYNC_FIRST_HOURS)
    pulled = bool(sync_ends)  # the frontier is an exclusive end already pulled
    moved = True
    while moved:
        moved = False
        for _kind, run_start, run_end in done:
            if run_start < frontier < run_end:
                frontier, moved, pulled = run_end, True, True
    if frontier >= end:
        return None
    return (frontier - OVERLAP if pulled else frontier), end


def cognition_sync(
    *, client: CognitionClient, now: datetime | None = None, fmt: str | None = None, progress: RunProgress | None = None
) -> PullRun | None:
    """Pull what became available since the last successful sync, under the sync lock. An
    unfinished sync run is resumed first. None when there is nothing new."""
    now = now or timezone.now()
    with sync_lock(now=now):
        unfinished = (
            PullRun.objects.filter(kind=PullRun.Kind.SYNC, status__in=["running", "failed"])
            .order_by("created_at", "id")
            .first()
        )
        if unfinished is not None:
            pull_run_execute(run=unfinished, client=client, fmt=fmt, progress=progress)
        bounds = sync_next_range(now=now)
        if bounds is None:
            return unfinished
        try:
            run = pull_run_prepare(start=bounds[0], end=bounds[1], now=now, kind=PullRun.Kind.SYNC)
        except RangeRefused:
            return unfinished
        return pull_run_execute(run=run, client=client, fmt=fmt, progress=progress)
