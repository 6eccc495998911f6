"""The coupons app in the staff API (CONTRACT 7): coupons and customers (import schema,
written through the import services), clips and POS transactions (read-only), coupon sites and
POS credentials (password write-only, stored hashed)."""

from .coupons import CouponViewSet
from .customers import CustomerViewSet
from .pos import ClipViewSet, TransactionViewSet
from .sites import PosCredentialViewSet, SiteViewSet

__all__ = [
    "ClipViewSet",
    "CouponViewSet",
    "CustomerViewSet",
    "PosCredentialViewSet",
    "SiteViewSet",
    "TransactionViewSet",
]
