"""Staff UI for scale data. CATAPULT owns the pushed rows (read-only here); the scale
defaults and the store mapping are the hub's own and editable. One module per area;
importing them registers the admins:

- ``items``: scale items and items at stores, each linking to its label preview;
- ``stores``: stores as the scale integration knows them, with the form that maps a scale
  store id to a store number (as ``map_scale_store`` does);
- ``defaults``: CATAPULT's Scale Settings default description lines.

List pages annotate counts with correlated subqueries and filter stores with ``EXISTS``, so
a page costs the same few queries whatever its length and no row is listed twice."""

from . import defaults, items, stores

__all__ = ["defaults", "items", "stores"]
