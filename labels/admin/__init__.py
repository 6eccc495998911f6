"""Staff UI for shelf labels, plain ModelAdmins: label batches with their entries (close,
mark printed, mark hung, the tags PDF), the tag layout per price label type (the pushed
settings beside the choice) and the price discrepancy report per store."""

from . import batches, layouts

__all__ = ["batches", "layouts"]
