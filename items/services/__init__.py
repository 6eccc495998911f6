"""Writes to the catalog: one module per CATAPULT endpoint."""

from .catalog import items_page_ingest
from .images import images_ingest, images_parse
from .price_labels import price_label_settings_ingest
from .pruning import images_prune

__all__ = ["images_ingest", "images_parse", "images_prune", "items_page_ingest", "price_label_settings_ingest"]
