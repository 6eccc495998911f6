"""Writes of the scales app."""

from .ingest import scale_items_ingest, scale_resolution_refresh

__all__ = ["scale_items_ingest", "scale_resolution_refresh"]
