"""Writes to the catalog: one module per CATAPULT endpoint."""

from .catalog import items_page_ingest
from .images import images_ingest, images_parse
from .price_labels import price_label_settings_ingest

__all__ = ["images_ingest", "images_parse", "items_page_ingest", "price_label_settings_ingest"]
