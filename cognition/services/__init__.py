"""Writes of the cognition app: pulls, sync, predictions, targeting, reconciliation."""

from .ingest import rows_store
from .pull import (
    PullFailed,
    RunProgress,
    SyncBusy,
    cognition_sync,
    pull_run_execute,
    pull_run_prepare,
    sync_lock,
    window_pull,
)
from .windows import RangeRefused, latest_allowed_end, range_check, windows_for

__all__ = [
    "PullFailed",
    "RangeRefused",
    "RunProgress",
    "SyncBusy",
    "cognition_sync",
    "latest_allowed_end",
    "pull_run_execute",
    "pull_run_prepare",
    "range_check",
    "rows_store",
    "sync_lock",
    "window_pull",
    "windows_for",
]
