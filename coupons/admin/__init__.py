"""Staff UI for coupons (CONTRACT 1: coupons, customers, clips, pending redemptions), one
module per area; importing them registers the admins."""

from . import coupons, customers, pos

__all__ = ["coupons", "customers", "pos"]
