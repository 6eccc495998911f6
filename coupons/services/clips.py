"""Clipping and unclipping (CONTRACT 3.2, 3.4), releasing abandoned pendings (3.5.1)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .. import lock_objects
from ..models import Clip, Coupon, CouponEvent, Customer, PosCredential, Site
from ..selectors import clippable_coupons, offered_at_site_q
from .common import abandon_after, clip_event, clips_save, commit_without_waiting_for_disk
from .loyalty import holds_release

logger = logging.getLogger("coupons.pos")
NOTE_MAX = CouponEvent._meta.get_field("note").max_length


@dataclass(frozen=True, slots=True)
class ClipResult:
    """The coupon ids actually changed, in request order."""

    added: list[str]
    removed: list[str]


@transaction.atomic
def clips_change(
    *,
    customer: Customer,
    site: Site | None,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    credential: PosCredential | None = None,
) -> ClipResult:
    """Clip ``add`` and unclip ``remove`` for ``customer``. A coupon is clipped when the
    customer may clip it (enabled, not ended, offered at ``site`` — any site when None —
    and untargeted or targeted at them) and it is not already clipped, pending or used up;
    unclip works on ``clipped`` coupons offered at ``site`` only (CONTRACT 3.6). Anything
    else is left out of the result and logged, never an error. An id in both lists is
    ignored. Locks the customer row, then the customer's clip rows in pk order."""
    add = list(dict.fromkeys(add))
    remove = list(dict.fromkeys(remove))
    both = set(add) & set(remove)
    if both:
        logger.warning("clip %s: %s both added and removed; ignored", customer.customer_id, sorted(both))
    commit_without_waiting_for_disk()
    lock_objects.customer_for_update(customer=customer).first()
    clips = {clip.coupon.coupon_id: clip for clip in lock_objects.clips_for_update(customer=customer)}
    now = timezone.now()
    events: list[CouponEvent] = []
    added: list[str] = []
    removed: list[str] = []
    to_add = [coupon_id for coupon_id in add if coupon_id not in both]
    clippable = {
        coupon.coupon_id: coupon
        for coupon in clippable_coupons(site=site, customer=customer).filter(coupon_id__in=to_add)
    }
    changed: list[Clip] = []
    for coupon_id in to_add:
        coupon = clippable.get(coupon_id)
        clip = clips.get(coupon_id)
        if coupon is None:
            logger.info("clip %s: %s is unknown or not available here; left out", customer.customer_id, coupon_id)
            continue
        if clip is None:
            clip = Clip.objects.create(customer=customer, coupon=coupon, clipped_at=now, updated_at=now)
        elif clip.state == Clip.State.REMOVED and clip.uses_count < coupon.uses_per_customer:
            clip.state, clip.clipped_at, clip.updated_at = Clip.State.CLIPPED, now, now
            changed.append(clip)
        else:
            logger.info("clip %s: %s is already %s; left out", customer.customer_id, coupon_id, clip.state)
            continue
        added.append(coupon_id)
        events.append(
            clip_event(CouponEvent.Kind.CLIP, clip, "available", "clipped", None, now, site=site, credential=credential)
        )
    offered_here = _offered_at(site, [clips[coupon_id].coupon_id for coupon_id in remove if coupon_id in clips])
    for coupon_id in remove:
        clip = clips.get(coupon_id)
        if coupon_id in both or clip is None or clip.state != Clip.State.CLIPPED:
            logger.info("unclip %s: %s is not clipped; left out", customer.customer_id, coupon_id)
            continue
        if offered_here is not None and clip.coupon_id not in offered_here:
            logger.info("unclip %s: %s is not offered at %s; left out", customer.customer_id, coupon_id, site.site_id)
            continue
        clip.state, clip.updated_at = Clip.State.REMOVED, now
        changed.append(clip)
        removed.append(coupon_id)
        events.append(
            clip_event(
                CouponEvent.Kind.UNCLIP, clip, "clipped", "available", None, now, site=site, credential=credential
            )
        )
    if changed:
        clips_save(changed, ["state", "clipped_at", "updated_at"])
    CouponEvent.objects.bulk_create(events)
    return ClipResult(added=added, removed=removed)


def _offered_at(site: Site | None, coupon_pks: list[int]) -> set[int] | None:
    """Of these coupons, the pks of those offered at ``site`` (None: any site will do)."""
    if site is None:
        return None
    if not coupon_pks:
        return set()
    return set(Coupon.objects.filter(offered_at_site_q(site), pk__in=coupon_pks).values_list("pk", flat=True))


@transaction.atomic
def pendings_release(
    *,
    clips: Iterable[Clip] | None = None,
    older_than: timedelta | None = None,
    actor: AbstractBaseUser | None = None,
) -> int:
    """Return abandoned pending coupons to ``clipped`` (CONTRACT 3.6: a commit is never
    relied on). ``clips`` None: every pending clip older than ``older_than`` (default the
    POS_PENDING_ABANDON_AFTER setting); given clips: those of them that are pending (and
    older than ``older_than`` when given). Returns how many were released; each gets an
    ``abandon`` audit event, whose note names ``actor`` when staff released it in the admin.
    Locks the clip rows in pk order and re-reads them."""
    now = timezone.now()
    released_by = f"released in the admin by {actor.get_username()}; " if actor is not None else ""
    if clips is None:
        older_than = abandon_after() if older_than is None else older_than
        pks = Clip.objects.filter(state=Clip.State.PENDING, pending_since__lt=now - older_than).values_list(
            "pk", flat=True
        )
    else:
        pks = [clip.pk for clip in clips]
    released = []
    events = []
    for clip in lock_objects.clips_by_pk_for_update(list(pks)).select_related("pending_transaction"):
        if clip.state != Clip.State.PENDING:
            continue
        if older_than is not None and clip.pending_since >= now - older_than:
            continue
        txn = clip.pending_transaction
        events.append(
            CouponEvent(
                kind=CouponEvent.Kind.ABANDON,
                clip=clip,
                coupon_id=clip.coupon_id,
                customer_id=clip.customer_id,
                from_state="pending",
                to_state="clipped",
                site_id=txn.site_id,
                terminal=txn.terminal,
                transaction=txn,
                note=f"{released_by}pending since {clip.pending_since:%Y-%m-%d %H:%M:%S%z}"[:NOTE_MAX],
                at=now,
            )
        )
        clip.state, clip.pending_transaction, clip.pending_since, clip.updated_at = Clip.State.CLIPPED, None, None, now
        released.append(clip)
    clips_save(released, ["state", "pending_transaction", "pending_since", "updated_at"])
    CouponEvent.objects.bulk_create(events)
    if released:
        holds_release(clip_pks=[clip.pk for clip in released], now=now, note=f"{released_by}abandoned")
    return len(released)
