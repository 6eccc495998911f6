"""Writes of the label side: batching label changes, and what staff do to a batch."""

from .batches import batch_close, batch_mark_hung, batch_mark_printed, label_batches_refresh, label_changes_batch

__all__ = ["batch_close", "batch_mark_hung", "batch_mark_printed", "label_batches_refresh", "label_changes_batch"]
