"""Writes of the coupons app. Other apps import from here:

- ``clips_change(*, customer, site, add, remove, credential=None) -> ClipResult(added, removed)``
- ``coupon_target(*, coupon, customers) -> int``
- ``customer_learn(*, customer_id) -> Customer``, ``customer_contacts_add(*, customer, phones, emails)``
- ``pendings_release(*, clips=None, older_than=None, actor=None) -> int``
- ``transaction_update(...) -> UpdateResult``, ``transaction_cancel(...)``, ``transaction_commit(...) -> dict``
- ``coupon_image_store(*, coupon, name, content) -> str``, ``coupon_image_fetch(*, coupon) -> str``,
  ``coupon_images_fetch() -> (copied, problems)`` (external images copied into storage),
  ``coupon_image_read(*, name) -> (bytes, content type)`` (what /pos/images/<name> serves)

``coupons.services.sites`` (site and credential set-up) and ``coupons.services.records``
(the staff API's and the admin's writes of coupons and customers) are imported by their own
paths.
"""

from .clips import ClipResult, clips_change, pendings_release
from .closing import transaction_cancel, transaction_commit
from .customers import coupon_target, customer_contacts_add, customer_learn
from .images import (
    ImageNotFound,
    ImageRejected,
    coupon_image_fetch,
    coupon_image_read,
    coupon_image_store,
    coupon_images_fetch,
)
from .transactions import AppliedCoupon, UpdateResult, transaction_update

__all__ = [
    "AppliedCoupon",
    "ClipResult",
    "ImageNotFound",
    "ImageRejected",
    "UpdateResult",
    "clips_change",
    "coupon_image_fetch",
    "coupon_image_read",
    "coupon_image_store",
    "coupon_images_fetch",
    "coupon_target",
    "customer_contacts_add",
    "customer_learn",
    "pendings_release",
    "transaction_cancel",
    "transaction_commit",
    "transaction_update",
]
