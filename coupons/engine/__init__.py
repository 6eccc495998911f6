"""The discount engine (CONTRACT 3.3, 3.5): basket + candidate coupons + stacking mode →
which coupons apply to which lines, for how much.

Pure functions over the dataclasses below: no ORM, no HTTP, no clock. The POS API turns
its request and the customer's candidate coupons into ``Line`` and ``Offer`` values, calls
``evaluate`` and renders the ``Application`` list it returns.

Rules (the hub's own; ECRS leaves them to the provider):

- A line takes part only with a positive quantity and a positive amount (returns and voids
  neither qualify nor get discounts; nor do absurd ones, over ``MAX_QUANTITY`` or
  ``MAX_AMOUNT``). Amounts are rounded half-up to cents first. Reward values are read to
  four decimals.
- **Units.** A line of whole quantity ``n`` has ``n`` units of price ``amount / n``; a line
  of fractional quantity (weighed) is one unit of its whole amount (CONTRACT 5.2). Minimum
  quantities count units too.
- **Requirement.** A line qualifies when its UPC key is a requirement UPC or its department
  a requirement department. The coupon applies when the qualifying lines hold at least
  ``min_quantity`` units (and at least one line) and their amounts reach ``min_spend``.
  The requirement is checked on the whole basket: a line that qualifies a coupon may also
  be discounted, by that coupon or another, and rewarded units count towards the minimum
  (so "buy 2, get 1 free" on one UPC is ``min_quantity`` 3 with ``limit_units`` 1).
- **Reward** per rewarded unit: ``percent`` of its price, ``amount`` off its price,
  ``fixed_price`` (the unit's price above that value; a unit priced at or below it gets
  nothing), ``free`` (its price); never more than the unit's price, never negative. Rewarded
  lines are the qualifying lines, or with ``reward_upcs`` the lines with those UPCs (buy X
  get Y: a Y line need not qualify). ``limit_units`` caps the rewarded units per
  transaction; the most valuable units are rewarded first.
- **Money.** A coupon's total is its exact saving rounded half-up to cents; that total is
  spread over its lines by the largest-remainder method (each line gets its exact share
  rounded down, the leftover cents go to the largest fractions, ties to the earlier line),
  so the per-line discounts add up exactly to the total and none exceeds its line's amount.
- **No self-stacking** (``self_stacking=False``): a line is *used* by the coupon that
  discounts it, and each line is used by at most one coupon (a line that only qualifies
  coupons may qualify several). The engine chooses the assignment with the largest exact
  saving (before rounding to cents: each rounded total differs from its exact saving by at
  most half a cent). Coupons without a binding unit limit gain line by line, so each line
  simply goes to the best of them (ties: the lowest coupon id). Lines that a coupon with a
  binding unit limit can reward are decided exactly per group of limited coupons sharing
  lines: a knapsack over each coupon's own lines and a dynamic programme over the shared
  ones (see :mod:`coupons.engine.assignment`); between equal savings it keeps a line's unlimited
  default first, then the lower coupon id, then more units — deterministic, whatever the
  order of ``offers``. If the groups of one call would take more than ``search_budget``
  steps (``SEARCH_BUDGET``: far above realistic baskets), the groups not yet decided are
  decided greedily: valid, deterministic and fast, not necessarily optimal.
- **Self-stacking** (``self_stacking=True``): each coupon is computed on the lines' own
  prices, in coupon-id order, and a line's discounts together never exceed its amount (a
  later coupon gets what is left of the line).
- Only coupons that save at least a cent are returned, sorted by coupon id; the answer does
  not depend on the order of ``offers`` (a repeated coupon id is evaluated once).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from .assignment import SEARCH_BUDGET, assign_lines

CENT = Decimal("0.01")
# Lines beyond these take no part (no basket holds them; they would only make huge numbers).
MAX_QUANTITY, MAX_AMOUNT = Decimal(1_000_000), Decimal(1_000_000_000)
VALUE_PLACES = 4  # reward values are read to 1/10,000 (a percent of 12.5 or an amount of 0.3333)


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
    ``upc`` is the canonical GTIN-14 key (``ecrs_hub.gtin.upc_key``) or None."""

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
    units per transaction (None: no cap). UPCs are canonical keys (``upc_key``)."""

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


def evaluate(
    lines: Sequence[Line], offers: Sequence[Offer], *, self_stacking: bool, search_budget: int = SEARCH_BUDGET
) -> list[Application]:
    """The applications for this basket, sorted by coupon id, only those that discount
    something. Deterministic: the same input always gives the same answer."""
    basket = _Basket(lines)
    unique: dict[str, Offer] = {}
    for offer in sorted(offers, key=_offer_order):
        unique.setdefault(offer.coupon_id, offer)
    rewards = [reward for offer in unique.values() if (reward := basket.reward(offer)) is not None]
    if self_stacking:
        exact = _stacked(basket, rewards)
    else:
        exact = _assigned(basket, rewards, search_budget)
    applications = []
    for reward, line_exact in zip(rewards, exact, strict=True):
        application = basket.application(reward.coupon_id, line_exact)
        if application is not None:
            applications.append(application)
    return applications


def _offer_order(offer: Offer) -> tuple:
    """A total order on offers (texts only, so that any field types compare), so that a
    repeated coupon id keeps the same one whatever the input order."""
    return (
        offer.coupon_id,
        str(offer.reward_kind),
        str(offer.reward_value),
        sorted(map(str, offer.requirement_upcs)),
        sorted(map(str, offer.requirement_depts)),
        str(offer.min_quantity),
        str(offer.min_spend),
        sorted(map(str, offer.reward_upcs)),
        str(offer.limit_units),
    )


def _decimal(value, default: Decimal) -> Decimal:
    """``value`` as a finite Decimal (int, float, text or Decimal), else ``default``."""
    if value is None or isinstance(value, bool):
        return default
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except ArithmeticError:
        return default
    return number if number.is_finite() else default


@dataclass(slots=True)
class _Reward:
    """An applicable coupon, in the basket's exact units: ``unit_values[i]`` is what one
    rewarded unit of line ``i`` saves (only lines where that is positive)."""

    coupon_id: str
    unit_values: dict[int, int]
    limit: int | None  # None: no binding limit


def _units(quantity: Decimal) -> int:
    if quantity <= 0:
        return 0
    return int(quantity) if quantity == quantity.to_integral_value() else 1


class _Basket:
    """The basket in exact integers: money is counted in 1/``scale`` of a cent, where
    ``scale`` is divisible by every line's unit count and by 10^6, so every unit price,
    percentage and per-unit amount is a whole number."""

    def __init__(self, lines: Sequence[Line]):
        self.lines = list(lines)
        self.cents: list[int] = []
        self.units: list[int] = []
        for line in self.lines:
            quantity, amount = _decimal(line.quantity, Decimal(0)), _decimal(line.amount, Decimal(0))
            if not (0 < quantity <= MAX_QUANTITY and 0 < amount <= MAX_AMOUNT):
                quantity = amount = Decimal(0)
            cents = int((amount / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            units = _units(quantity)
            if cents <= 0 or units <= 0:
                cents = units = 0
            self.cents.append(cents)
            self.units.append(units)
        self.active = [index for index, units in enumerate(self.units) if units]
        self.by_upc: dict[str, list[int]] = {}
        self.by_dept: dict[int, list[int]] = {}
        for index in self.active:
            if self.lines[index].upc is not None:
                self.by_upc.setdefault(self.lines[index].upc, []).append(index)
            if self.lines[index].dept is not None:
                self.by_dept.setdefault(self.lines[index].dept, []).append(index)
        self.lcm = math.lcm(*(self.units[index] for index in self.active)) if self.active else 1
        self.scale = self.lcm * 10 ** (2 + VALUE_PLACES)

    def _lines_of(self, upcs: Collection[str], depts: Collection[int]) -> list[int]:
        """The live lines with one of these UPC keys or departments, in basket order."""
        found = {index for upc in upcs for index in self.by_upc.get(upc, ())}
        found.update(index for dept in depts for index in self.by_dept.get(dept, ()))
        return sorted(found)

    def reward(self, offer: Offer) -> _Reward | None:
        """The offer's per-unit savings on this basket, or None when its requirement is not
        met or it would save nothing."""
        qualifying = self._lines_of(offer.requirement_upcs, offer.requirement_depts)
        if not qualifying or sum(self.units[index] for index in qualifying) < _decimal(offer.min_quantity, Decimal(1)):
            return None
        min_spend = _decimal(offer.min_spend, Decimal(0))
        if min_spend > 0 and sum(self.cents[index] for index in qualifying) < min_spend / CENT:
            return None
        if offer.reward_upcs:
            rewarded = self._lines_of(offer.reward_upcs, ())
        else:
            rewarded = qualifying
        reward_value = min(max(_decimal(offer.reward_value, Decimal(0)), Decimal(0)), MAX_AMOUNT)
        value = max(int(reward_value.scaleb(VALUE_PLACES).to_integral_value(ROUND_HALF_UP)), 0)
        unit_values = {}
        for index in rewarded:
            per_lcm = self.lcm // self.units[index]
            price = self.cents[index] * per_lcm * 10 ** (2 + VALUE_PLACES)  # one unit, in 1/scale cent
            kind = offer.reward_kind
            if kind == RewardKind.PERCENT:
                saving = min(self.cents[index] * per_lcm * value, price)
            elif kind == RewardKind.AMOUNT:
                saving = min(value * self.lcm * 10**4, price)
            elif kind == RewardKind.FIXED_PRICE:
                saving = max(price - value * self.lcm * 10**4, 0)
            else:
                saving = price
            if saving > 0:
                unit_values[index] = saving
        if not unit_values:
            return None
        limit = None if offer.limit_units is None else int(offer.limit_units)
        if limit is not None and limit <= 0:
            return None
        if limit is not None and limit >= sum(self.units[index] for index in unit_values):
            limit = None  # never binding
        return _Reward(offer.coupon_id, unit_values, limit)

    def allocate(self, line_exact: dict[int, int]) -> tuple[int, dict[int, int]]:
        """(total, per-line) cents: the exact saving rounded half-up, spread over the lines
        by largest remainder (ties: the earlier line). Each line gets at most the ceiling of
        its exact share, so never more than its amount."""
        exact = sorted((index, value) for index, value in line_exact.items() if value > 0)
        scale = self.scale
        total = (2 * sum(value for _, value in exact) + scale) // (2 * scale)
        cents = {index: value // scale for index, value in exact}
        leftover = total - sum(cents.values())
        by_fraction = sorted(exact, key=lambda pair: (-(pair[1] % scale), pair[0]))
        for index, _ in by_fraction[:leftover]:
            cents[index] += 1
        return total, {index: amount for index, amount in cents.items() if amount}

    def application(self, coupon_id: str, line_exact: dict[int, int]) -> Application | None:
        total, cents = self.allocate(line_exact)
        if total <= 0:
            return None
        lines = tuple(LineDiscount(self.lines[index].id, Decimal(amount).scaleb(-2)) for index, amount in cents.items())
        return Application(coupon_id, lines, Decimal(total).scaleb(-2))


def _best_units(segments: list[tuple[int, int, int]], limit: int | None) -> dict[int, int]:
    """Exact savings per line from ``(unit value, line, units)`` segments, taking at most
    ``limit`` units, most valuable first (ties: the earlier line)."""
    taken: dict[int, int] = {}
    left = limit
    for value, index, count in sorted(segments, key=lambda segment: (-segment[0], segment[1])):
        if left is not None:
            count = min(count, left)
            left -= count
        if count > 0:
            taken[index] = taken.get(index, 0) + value * count
        if left == 0:
            break
    return taken


def _stacked(basket: _Basket, rewards: list[_Reward]) -> list[dict[int, int]]:
    """Self-stacking: coupons in id order, each on the lines' own prices, a line's
    discounts capped together at its amount (in whole cents, as they are allocated)."""
    remaining = list(basket.cents)
    result = []
    for reward in rewards:
        segments = []
        for index, value in reward.unit_values.items():
            room = remaining[index] * basket.scale
            full = min(basket.units[index], room // value)
            if full:
                segments.append((value, index, full))
            if full < basket.units[index] and room - full * value > 0:
                segments.append((room - full * value, index, 1))
        exact = _best_units(segments, reward.limit)
        for index, cents in basket.allocate(exact)[1].items():
            remaining[index] -= cents
        result.append(exact)
    return result


def _assigned(basket: _Basket, rewards: list[_Reward], budget: int) -> list[dict[int, int]]:
    """No self-stacking: each line to at most one coupon, the largest exact saving in all."""
    units = {index: basket.units[index] for index in basket.active}
    choice = assign_lines(units, [(reward.unit_values, reward.limit) for reward in rewards], budget=budget)
    result: list[dict[int, int]] = [{} for _ in rewards]
    for index, (position, count) in choice.items():
        result[position][index] = rewards[position].unit_values[index] * count
    return result
