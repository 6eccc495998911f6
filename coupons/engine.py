"""The discount engine (CONTRACT 3.3, 3.5): basket + candidate coupons + stacking mode →
which coupons apply to which lines, for how much.

Pure functions over the dataclasses below: no ORM, no HTTP, no clock. The POS API turns
its request and the customer's candidate coupons into ``Line`` and ``Offer`` values, calls
``evaluate`` and renders the ``Application`` list it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class RewardKind(StrEnum):
    PERCENT = "percent"  # reward_value 10 means 10 % off the rewarded lines
    AMOUNT = "amount"  # reward_value off per rewarded unit
    FIXED_PRICE = "fixed_price"  # each rewarded unit sells for reward_value
    FREE = "free"  # rewarded units are free; reward_value ignored


@dataclass(frozen=True, slots=True)
class Line:
    """One basket line as the POS sent it.

    ``amount`` is the line total the customer pays before coupons (``discountPrice`` if
    present, else ``price``: CONTRACT 5.2 reads both as line totals). ``quantity`` may be
    fractional (weighed goods): such a line counts as one unit for per-unit rewards.
    ``upc`` is the canonical GTIN-14 key (``coupons.upc.upc_key``) or None."""

    id: str
    upc: str | None
    dept: int | None
    quantity: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Offer:
    """A candidate coupon's rules. Empty ``requirement_upcs`` and ``requirement_depts`` mean
    no line qualifies. ``reward_upcs`` empty: the reward goes to the qualifying lines;
    otherwise to the lines with those UPCs (buy X get Y). ``limit_units`` caps the rewarded
    units per transaction (None: no cap)."""

    coupon_id: str
    reward_kind: RewardKind
    reward_value: Decimal = Decimal(0)
    requirement_upcs: frozenset[str] = frozenset()
    requirement_depts: frozenset[int] = frozenset()
    min_quantity: Decimal = Decimal(1)
    min_spend: Decimal | None = None
    reward_upcs: frozenset[str] = frozenset()
    limit_units: int | None = None


@dataclass(frozen=True, slots=True)
class LineDiscount:
    line_id: str
    discount: Decimal


@dataclass(frozen=True, slots=True)
class Application:
    """One coupon applied: its per-line discounts (each > 0, in basket order) add up
    exactly to ``total``."""

    coupon_id: str
    lines: tuple[LineDiscount, ...]
    total: Decimal


def evaluate(lines: Sequence[Line], offers: Sequence[Offer], *, self_stacking: bool) -> list[Application]:
    """The applications for this basket, sorted by coupon id, only those that discount
    something. Deterministic: the same input always gives the same answer."""
    raise NotImplementedError
