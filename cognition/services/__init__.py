"""Writes of the cognition app: pulls, sync, predictions, targeting, reconciliation."""

from .ingest import rows_store
from .predictions import forecasts_fetch, recommendations_fetch
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
from .reconcile import reconciliation_run
from .targeting import recommendations_target
from .windows import RangeRefused, latest_allowed_end, range_check, windows_for

__all__ = [
    "PullFailed",
    "RangeRefused",
    "RunProgress",
    "SyncBusy",
    "cognition_sync",
    "forecasts_fetch",
    "latest_allowed_end",
    "pull_run_execute",
    "pull_run_prepare",
    "range_check",
    "recommendations_fetch",
    "recommendations_target",
    "reconciliation_run",
    "rows_store",
    "sync_lock",
    "window_pull",
    "windows_for",
]
