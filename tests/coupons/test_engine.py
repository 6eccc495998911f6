"""The discount engine (CONTRACT 3.3, 3.5.3-4, 5.2): given a basket and candidate coupons,
which coupons apply to which lines and for how much."""

import itertools
import random
import time
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coupons.engine import SEARCH_BUDGET, Application, Line, LineDiscount, Offer, RewardKind, evaluate
from ecrs_hub.gtin import upc_key

D = Decimal
PERCENT, AMOUNT, FIXED, FREE = RewardKind.PERCENT, RewardKind.AMOUNT, RewardKind.FIXED_PRICE, RewardKind.FREE
SODA, CHIPS, DIP, STEAK = (upc_key(code) for code in (894773001193, 894773001049, 4011, "201234012993"))


def line(line_id, *, upc=None, dept=None, quantity="1", amount="1.00"):
    return Line(str(line_id), upc, dept, D(quantity), D(amount))


def offer(coupon_id, kind, value="0", *, upcs=(), depts=(), reward_upcs=(), **rules):
    return Offer(
        coupon_id,
        kind,
        D(value),
        requirement_upcs=frozenset(upcs),
        requirement_depts=frozenset(depts),
        reward_upcs=frozenset(reward_upcs),
        **rules,
    )


def discounts(applications):
    """{coupon id: (total, {line id: discount})} as strings, for readable asserts."""
    return {
        app.coupon_id: (str(app.total), {part.line_id: str(part.discount) for part in app.lines})
        for app in applications
    }


def run(lines, offers, self_stacking=False):
    return discounts(evaluate(lines, offers, self_stacking=self_stacking))


# --- each reward kind -----------------------------------------------------------------


def test_percent_off_the_qualifying_lines_rounds_the_total_half_up_and_spreads_it_exactly():
    lines = [line(1, upc=SODA, amount="1.99"), line(2, upc=SODA, amount="0.05"), line(3, upc=CHIPS, amount="3.00")]
    # 10 % of 2.04 = 0.204 → 0.20: line 1 gets 0.199 → 0.19 plus the leftover cent (largest fraction)
    assert run(lines, [offer("C1", PERCENT, "10", upcs=[SODA])]) == {"C1": ("0.20", {"1": "0.20"})}
    # three lines of 0.05 at 10 %: 0.015 → 0.02, the two leftover cents go to the first two lines
    small = [line(n, dept=4, amount="0.05") for n in (1, 2, 3)]
    assert run(small, [offer("C1", PERCENT, "10", depts=[4])]) == {"C1": ("0.02", {"1": "0.01", "2": "0.01"})}


def test_the_sample_line_uses_its_discount_price_as_the_line_total():
    # CONTRACT 5.2: quantity 2, price 1.99, discountPrice 1.49 — 1.49 is what the customer pays
    lines = [line(1, upc=SODA, dept=3, quantity="2", amount="1.49")]
    assert run(lines, [offer("C2222", PERCENT, "10", upcs=[SODA, CHIPS])]) == {"C2222": ("0.15", {"1": "0.15"})}


def test_amount_off_per_unit_never_more_than_the_unit_price():
    lines = [line(1, upc=SODA, quantity="3", amount="3.00"), line(2, upc=SODA, quantity="2", amount="0.60")]
    assert run(lines, [offer("A", AMOUNT, "0.50", upcs=[SODA])]) == {"A": ("2.10", {"1": "1.50", "2": "0.60"})}


def test_fixed_price_per_unit_and_a_fixed_price_above_the_line_price_gives_nothing():
    lines = [line(1, upc=SODA, quantity="2", amount="5.00")]
    assert run(lines, [offer("F", FIXED, "1.99", upcs=[SODA])]) == {"F": ("1.02", {"1": "1.02"})}
    assert run(lines, [offer("F", FIXED, "2.50", upcs=[SODA])]) == {}
    assert run(lines, [offer("F", FIXED, "3.00", upcs=[SODA])]) == {}


def test_free_item_with_a_unit_limit_frees_whole_units():
    lines = [line(1, upc=SODA, quantity="3", amount="1.00")]
    assert run(lines, [offer("G", FREE, upcs=[SODA], limit_units=1)]) == {"G": ("0.33", {"1": "0.33"})}
    assert run(lines, [offer("G", FREE, upcs=[SODA], limit_units=2)]) == {"G": ("0.67", {"1": "0.67"})}
    assert run(lines, [offer("G", FREE, "99", upcs=[SODA])]) == {"G": ("1.00", {"1": "1.00"})}  # value ignored


def test_a_percent_over_100_frees_the_line_and_never_more():
    assert run([line(1, dept=1, amount="2.00")], [offer("P", PERCENT, "150", depts=[1])]) == {
        "P": ("2.00", {"1": "2.00"})
    }


# --- requirement rules ----------------------------------------------------------------


def test_minimum_spend_boundary_on_the_qualifying_lines():
    coupon = offer("S", AMOUNT, "1.00", depts=[5], min_spend=D("5.00"))
    other = line(9, dept=6, amount="20.00")  # not qualifying: does not count
    assert run([line(1, dept=5, amount="4.99"), other], [coupon]) == {}
    assert run([line(1, dept=5, amount="5.00"), other], [coupon]) == {"S": ("1.00", {"1": "1.00"})}
    assert run([line(1, dept=5, amount="2.50"), line(2, dept=5, amount="2.50")], [coupon]) == {
        "S": ("2.00", {"1": "1.00", "2": "1.00"})
    }


def test_minimum_quantity_counts_units_and_a_weighed_line_as_one():
    coupon = offer("Q", PERCENT, "50", upcs=[SODA], min_quantity=D(3))
    assert run([line(1, upc=SODA, quantity="2", amount="2.00")], [coupon]) == {}
    assert run([line(1, upc=SODA, quantity="2", amount="2.00"), line(2, upc=SODA, amount="1.00")], [coupon]) == {
        "Q": ("1.50", {"1": "1.00", "2": "0.50"})
    }
    assert run([line(1, upc=SODA, quantity="2.75", amount="5.50")], [coupon]) == {}  # 2.75 lb: one unit


def test_weighed_lines_are_one_unit_for_per_unit_rewards():
    steak = line(1, upc=STEAK, dept=2, quantity="2.37", amount="4.72")
    assert run([steak], [offer("W", AMOUNT, "1.00", upcs=[STEAK])]) == {"W": ("1.00", {"1": "1.00"})}
    assert run([steak], [offer("W", FIXED, "4.00", upcs=[STEAK])]) == {"W": ("0.72", {"1": "0.72"})}
    assert run([steak], [offer("W", PERCENT, "50", upcs=[STEAK], limit_units=1)]) == {"W": ("2.36", {"1": "2.36"})}


def test_a_random_weight_label_matches_the_coupon_for_its_item():
    scanned = line(1, upc=upc_key(201234012993), quantity="1.2", amount="12.99")
    assert run([scanned], [offer("R", AMOUNT, "2", upcs=[upc_key("20123400000")])]) == {"R": ("2.00", {"1": "2.00"})}


def test_requirement_by_upc_or_department_and_none_means_no_line():
    lines = [line(1, upc=SODA, dept=3, amount="1.00"), line(2, upc=CHIPS, dept=4, amount="2.00")]
    both = offer("U", PERCENT, "10", upcs=[SODA], depts=[4])
    assert run(lines, [both]) == {"U": ("0.30", {"1": "0.10", "2": "0.20"})}
    assert run(lines, [offer("N", FREE)]) == {}


def test_buy_x_get_y():
    coupon = offer("XY", FREE, upcs=[CHIPS], reward_upcs=[DIP], limit_units=1)
    chips, dip = line(1, upc=CHIPS, amount="3.49"), line(2, upc=DIP, quantity="2", amount="4.00")
    assert run([chips, dip], [coupon]) == {"XY": ("2.00", {"2": "2.00"})}
    assert run([dip], [coupon]) == {}  # Y without X
    assert run([chips], [coupon]) == {}  # X without Y: nothing to reward


def test_buy_two_get_one_free_on_one_upc():
    coupon = offer("B2G1", FREE, upcs=[SODA], min_quantity=D(3), limit_units=1)
    assert run([line(1, upc=SODA, quantity="2", amount="2.00")], [coupon]) == {}
    cans = [line(1, upc=SODA, quantity="2", amount="2.00"), line(2, upc=SODA, amount="1.25")]
    assert run(cans, [coupon]) == {"B2G1": ("1.25", {"2": "1.25"})}  # the dearest unit goes free


def test_the_unit_limit_rewards_the_most_valuable_units_across_lines():
    lines = [
        line(1, dept=7, amount="0.50"),
        line(2, dept=7, quantity="2", amount="2.00"),
        line(3, dept=7, amount="3.00"),
    ]
    assert run(lines, [offer("L", FREE, depts=[7], limit_units=2)]) == {"L": ("4.00", {"2": "1.00", "3": "3.00"})}


def test_returns_voids_and_zero_lines_take_no_part():
    lines = [
        line(1, upc=SODA, quantity="-1", amount="-1.00"),
        line(2, upc=SODA, quantity="1", amount="0.00"),
        line(3, upc=SODA, quantity="0", amount="1.00"),
    ]
    assert run(lines, [offer("V", AMOUNT, "1", upcs=[SODA])]) == {}
    assert run([*lines, line(4, upc=SODA, amount="1.00")], [offer("V", AMOUNT, "1", upcs=[SODA])]) == {
        "V": ("1.00", {"4": "1.00"})
    }


def test_values_of_other_types_are_read_as_decimals_and_nonsense_takes_no_part():
    lines = [
        Line("1", SODA, 1, 2, 3),  # int quantity and amount
        Line("2", SODA, 1, 1.5, "2.50"),  # float quantity, text amount
        Line("3", SODA, 1, D("1E+30"), D("1.00")),  # absurd quantity
        Line("4", SODA, 1, D("NaN"), D("1.00")),
        Line("5", SODA, 1, D(1), D("Infinity")),
    ]
    free = Offer("F", FREE, None, requirement_upcs=frozenset({SODA}), min_quantity=None, min_spend=None)
    assert run(lines, [free]) == {"F": ("5.50", {"1": "3.00", "2": "2.50"})}
    huge = Offer("A", AMOUNT, D("1E+999999"), requirement_upcs=frozenset({SODA}), min_quantity=2, min_spend=1)
    assert run(lines, [huge]) == {"A": ("5.50", {"1": "3.00", "2": "2.50"})}


def test_only_coupons_that_save_a_cent_are_returned_sorted_by_id():
    lines = [line(1, dept=1, amount="0.25"), line(2, dept=2, amount="10.00")]
    offers = [offer("Z", AMOUNT, "1", depts=[2]), offer("M", PERCENT, "1", depts=[1]), offer("A", FREE, depts=[2])]
    applications = evaluate(lines, offers, self_stacking=True)
    assert [app.coupon_id for app in applications] == ["A"]  # M saves 0.0025; Z comes after A's free line
    assert applications == [Application("A", (LineDiscount("2", D("10.00")),), D("10.00"))]


# --- stacking -------------------------------------------------------------------------


def test_without_self_stacking_a_line_goes_to_the_better_coupon_ties_to_the_lower_id():
    lines = [line(1, upc=SODA, amount="4.00")]
    assert run(lines, [offer("B", PERCENT, "10", upcs=[SODA]), offer("A", AMOUNT, "0.50", upcs=[SODA])]) == {
        "A": ("0.50", {"1": "0.50"})
    }
    assert run(lines, [offer("B", PERCENT, "25", upcs=[SODA]), offer("A", AMOUNT, "1.00", upcs=[SODA])]) == {
        "A": ("1.00", {"1": "1.00"})
    }


def test_a_requirement_only_line_may_qualify_several_coupons():
    lines = [line(1, upc=CHIPS, amount="3.49"), line(2, upc=DIP, amount="2.00"), line(3, upc=SODA, amount="1.00")]
    offers = [
        offer("D", FREE, upcs=[CHIPS], reward_upcs=[DIP]),
        offer("S", FREE, upcs=[CHIPS], reward_upcs=[SODA]),
    ]
    assert run(lines, offers) == {"D": ("2.00", {"2": "2.00"}), "S": ("1.00", {"3": "1.00"})}


def test_without_self_stacking_the_largest_total_saving_wins_over_greedy_choices():
    # Line 1's best coupon is A (free, limit 1: 5.00 against B's 4.50), but B can only
    # discount line 1, so the best assignment gives line 1 to B and A's unit to line 2.
    lines = [line(1, upc=SODA, dept=1, amount="5.00"), line(2, dept=1, amount="4.00")]
    offers = [offer("A", FREE, depts=[1], limit_units=1), offer("B", PERCENT, "90", upcs=[SODA])]
    assert run(lines, offers) == {"A": ("4.00", {"2": "4.00"}), "B": ("4.50", {"1": "4.50"})}
    # with B on both lines, A's one unit goes where it beats B most: 5.00 + 3.20 > 4.00 + 4.00
    offers = [offer("A", FREE, depts=[1], limit_units=1), offer("B", PERCENT, "80", depts=[1])]
    assert run(lines, offers) == {"A": ("5.00", {"1": "5.00"}), "B": ("3.20", {"2": "3.20"})}


def test_self_stacking_shares_lines_in_coupon_id_order_capped_at_the_line_amount():
    lines = [line(1, upc=SODA, amount="1.00"), line(2, upc=SODA, amount="2.00")]
    offers = [offer("B", PERCENT, "60", upcs=[SODA]), offer("A", PERCENT, "60", upcs=[SODA])]
    assert run(lines, offers, self_stacking=True) == {
        "A": ("1.80", {"1": "0.60", "2": "1.20"}),
        "B": ("1.20", {"1": "0.40", "2": "0.80"}),
    }
    assert run(lines, offers, self_stacking=False) == {"A": ("1.80", {"1": "0.60", "2": "1.20"})}


def test_self_stacking_with_a_unit_limit_skips_lines_already_free():
    lines = [line(1, dept=1, amount="5.00"), line(2, dept=1, amount="4.00")]
    offers = [offer("A", FREE, depts=[1], limit_units=1), offer("B", FREE, depts=[1], limit_units=1)]
    assert run(lines, offers, self_stacking=True) == {"A": ("5.00", {"1": "5.00"}), "B": ("4.00", {"2": "4.00"})}


# --- size and the fallback ------------------------------------------------------------


def big_basket(seed, n_lines=100, n_offers=30, limited_share=0.3, limit=(1, 3)):
    rng = random.Random(seed)
    upcs = [upc_key(100000000000 + n) for n in range(60)]
    lines = [
        line(
            n,
            upc=rng.choice(upcs),
            dept=rng.randint(1, 8),
            quantity=rng.choice(["1", "1", "2", "3", "1.37"]),
            amount=f"{rng.randint(50, 2000) / 100:.2f}",
        )
        for n in range(n_lines)
    ]
    offers = []
    for n in range(n_offers):
        by_dept = rng.random() < 0.3
        offers.append(
            offer(
                f"C{n:03d}",
                rng.choice(list(RewardKind)),
                rng.choice(["10", "0.50", "1.00", "2.99", "25"]),
                upcs=[] if by_dept else rng.sample(upcs, 3),
                depts=[rng.randint(1, 8)] if by_dept else [],
                limit_units=rng.randint(*limit) if rng.random() < limited_share else None,
            )
        )
    return lines, offers


def test_a_realistic_basket_is_fast_and_exact():
    lines, offers = big_basket(1)
    started = time.perf_counter()
    first = evaluate(lines, offers, self_stacking=False)
    seconds = time.perf_counter() - started
    assert first and seconds < 0.1
    assert evaluate(lines, offers, self_stacking=False, search_budget=10**9) == first  # no fallback was needed


def test_a_huge_group_of_limited_coupons_falls_back_within_the_time_bound():
    # 16 department-wide coupons of limit 5 over the same 100 lines: an exact programme
    # would have 6^16 states; past the budget the greedy fallback decides.
    lines = [line(n, dept=1, quantity="2", amount=f"{1 + n % 17}.{n % 100:02d}") for n in range(100)]
    offers = [offer(f"C{n:02d}", PERCENT, str(10 + n), depts=[1], limit_units=5) for n in range(16)]
    started = time.perf_counter()
    applications = evaluate(lines, offers, self_stacking=False)
    assert time.perf_counter() - started < 0.5
    check_valid(lines, applications, self_stacking=False)
    assert len(applications) == 16  # each takes its best free lines
    assert applications == evaluate(lines, offers, self_stacking=False, search_budget=0)  # the greedy decided
    assert applications == evaluate(lines, list(reversed(offers)), self_stacking=False)


def test_the_fallback_is_valid_and_close_on_small_groups():
    lines = [line(1, dept=1, amount="5.00"), line(2, dept=1, amount="4.00")]
    offers = [offer("A", FREE, depts=[1], limit_units=1), offer("B", PERCENT, "90", depts=[1])]
    greedy = evaluate(lines, offers, self_stacking=False, search_budget=0)
    check_valid(lines, greedy, self_stacking=False)
    assert discounts(greedy) == {"A": ("5.00", {"1": "5.00"}), "B": ("3.60", {"2": "3.60"})}


# --- properties -----------------------------------------------------------------------


def check_valid(lines, applications, *, self_stacking):
    amounts = {item.id: item.amount for item in lines}
    used: dict[str, Decimal] = {}
    assert [app.coupon_id for app in applications] == sorted({app.coupon_id for app in applications})
    for app in applications:
        assert app.total > 0 and app.total == app.total.quantize(D("0.01"))
        assert sum(part.discount for part in app.lines) == app.total
        assert len({part.line_id for part in app.lines}) == len(app.lines)
        for part in app.lines:
            assert D(0) < part.discount <= amounts[part.line_id]
            if not self_stacking:
                assert part.line_id not in used, "a line used by two coupons"
            used[part.line_id] = used.get(part.line_id, D(0)) + part.discount
    for line_id, total in used.items():
        assert total <= amounts[line_id]


KEYS = ["00000000000017", "00000000000024", "00000000000031"]


@st.composite
def baskets(draw, max_lines=8, whole_cents=False):
    """Lines and offers; with ``whole_cents`` every per-unit saving is a whole number of
    cents, so the rounded totals are the exact savings and optimality compares exactly."""
    lines = []
    for n in range(draw(st.integers(1, max_lines))):
        weighed = draw(st.booleans()) and draw(st.booleans())
        units = 1 if weighed else draw(st.integers(1, 4))
        unit_cents = draw(st.integers(1, 25)) * 20 if whole_cents else draw(st.integers(1, 700))
        quantity = D("1.5") if weighed else D(units)
        lines.append(
            Line(str(n), draw(st.sampled_from([*KEYS, None])), draw(st.sampled_from([1, 2, None])), quantity,
                 D(units * unit_cents).scaleb(-2))
        )  # fmt: skip
    offers = []
    for n in range(draw(st.integers(0, 4 if whole_cents else 6))):
        kind = draw(st.sampled_from(list(RewardKind)))
        if kind == PERCENT:
            value = draw(
                st.sampled_from(["5", "10", "25", "50", "100"] if whole_cents else ["10", "12.5", "33", "150"])
            )
        else:
            value = f"{draw(st.integers(0, 600)) / 100:.2f}"
        offers.append(
            Offer(
                f"C{draw(st.integers(0, 9))}{n}",
                kind,
                D(value),
                requirement_upcs=frozenset(draw(st.lists(st.sampled_from(KEYS), max_size=2))),
                requirement_depts=frozenset(draw(st.lists(st.sampled_from([1, 2]), max_size=1))),
                min_quantity=D(draw(st.integers(0, 3))),
                min_spend=draw(st.sampled_from([None, D("1.00"), D("5.00")])),
                reward_upcs=frozenset(draw(st.lists(st.sampled_from(KEYS), max_size=1))),
                limit_units=draw(st.sampled_from([None, None, 1, 2, 3])),
            )
        )
    return lines, offers


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baskets(), st.booleans(), st.sampled_from([SEARCH_BUDGET, 0]))
def test_every_answer_is_valid_money(basket, self_stacking, budget):
    lines, offers = basket
    applications = evaluate(lines, offers, self_stacking=self_stacking, search_budget=budget)  # 0: the fallback
    check_valid(lines, applications, self_stacking=self_stacking)


@settings(max_examples=200, deadline=None)
@given(baskets(), st.booleans(), st.randoms(use_true_random=False))
def test_the_answer_does_not_depend_on_the_order_of_the_offers(basket, self_stacking, rng):
    lines, offers = basket
    shuffled = list(offers)
    rng.shuffle(shuffled)
    assert evaluate(lines, shuffled, self_stacking=self_stacking) == evaluate(
        lines, offers, self_stacking=self_stacking
    )


def spec_unit_savings(lines, offer_):
    """The rules of CONTRACT 3.3 written out plainly (Fractions, no shared code): the saving
    of one rewarded unit of each line, or None when the requirement is not met."""
    live = [item for item in lines if item.quantity > 0 and item.amount > 0]

    def units(item):
        return int(item.quantity) if item.quantity == int(item.quantity) else 1

    qualifying = [item for item in live if item.upc in offer_.requirement_upcs or item.dept in offer_.requirement_depts]
    if not qualifying or sum(units(item) for item in qualifying) < offer_.min_quantity:
        return None
    if offer_.min_spend is not None and sum(item.amount for item in qualifying) < offer_.min_spend:
        return None
    rewarded = [item for item in live if item.upc in offer_.reward_upcs] if offer_.reward_upcs else qualifying
    savings = {}
    for item in rewarded:
        price = Fraction(item.amount) / units(item)
        value = Fraction(offer_.reward_value)
        saving = {
            PERCENT: price * value / 100,
            AMOUNT: value,
            FIXED: price - value,
            FREE: price,
        }[offer_.reward_kind]
        saving = max(min(saving, price), 0)
        if saving:
            savings[item.id] = (saving, units(item))
    return savings


def brute_force_best(lines, offers):
    """The largest saving over every assignment of each line to one coupon or none."""
    unique = {}
    for offer_ in offers:
        unique.setdefault(offer_.coupon_id, offer_)
    rules = [(o, s) for o in unique.values() if (s := spec_unit_savings(lines, o))]
    best = Fraction(0)
    choices = [[None] + [n for n, (_, s) in enumerate(rules) if item.id in s] for item in lines]
    for assignment in itertools.product(*choices):
        total = Fraction(0)
        for n, (offer_, savings) in enumerate(rules):
            unit_values = []
            for item, chosen in zip(lines, assignment, strict=True):
                if chosen == n:
                    saving, count = savings[item.id]
                    unit_values += [saving] * count
            unit_values.sort(reverse=True)
            total += sum(unit_values[: offer_.limit_units] if offer_.limit_units is not None else unit_values)
        best = max(best, total)
    return best


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baskets(max_lines=5, whole_cents=True))
def test_without_self_stacking_the_assignment_is_optimal_against_brute_force(basket):
    lines, offers = basket
    applications = evaluate(lines, offers, self_stacking=False)
    assert sum((app.total for app in applications), D(0)) == brute_force_best(lines, offers)


@pytest.mark.parametrize("seed", range(5))
def test_optimal_against_brute_force_with_several_limited_coupons(seed):
    """Hand-sized but busier than hypothesis draws: 5 lines, 4 limited coupons sharing them."""
    rng = random.Random(seed)
    lines = [
        line(n, dept=1, quantity=str(rng.randint(1, 3)), amount=f"{rng.randint(1, 20) * 0.6:.2f}") for n in range(5)
    ]
    offers = [
        offer(f"C{n}", rng.choice([FREE, AMOUNT, FIXED]), f"{rng.randint(0, 300) / 100:.2f}", depts=[1],
              limit_units=rng.randint(1, 3))
        for n in range(4)
    ]  # fmt: skip
    applications = evaluate(lines, offers, self_stacking=False)
    check_valid(lines, applications, self_stacking=False)
    assert sum((app.total for app in applications), D(0)) == brute_force_best(lines, offers)
