"""Writes of the scales app."""

from .ingest import scale_items_ingest
from .resolution import scale_defaults_save, scale_resolution_refresh

__all__ = ["scale_defaults_save", "scale_items_ingest", "scale_resolution_refresh"]
