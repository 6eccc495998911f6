"""DF3 forecasts and recommendations fetched from the fake server and stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from cognition.models import Forecast, Recommendation
from cognition.testing.fake_server import big

pytestmark = pytest.mark.django_db

STORE = 4294967296001


def test_forecasts_are_stored_per_store_item_and_day(fake_cognition):
    items = [big(101), big(102)]
    call_command(
        "cognition_fetch_forecasts", "--store", str(STORE), "--start", "2026-04-03", "--end", "2026-04-05",
        "--item", f"{items[0]},{items[1]}",
    )  # fmt: skip
    request = fake_cognition.requests[0]
    assert request["method"] == "POST" and request["path"] == "/api/v1/predictive/df3"
    assert Forecast.objects.count() == 6
    forecast = Forecast.objects.get(item=items[0], date=date(2026, 4, 4))
    assert forecast.store == STORE and isinstance(forecast.quantity, Decimal)
    assert forecast.raw["date"] == "2026-04-04"
    assert forecast.quantity == Decimal(str(forecast.raw["quantity"])).quantize(Decimal("0.000001"))
    # Fetching again updates in place.
    call_command(
        "cognition_fetch_forecasts", "--store", str(STORE), "--start", "2026-04-05", "--end", "2026-04-06",
        "--item", str(items[0]),
    )  # fmt: skip
    assert Forecast.objects.count() == 7


def test_forecast_errors_name_the_problem(fake_cognition):
    with pytest.raises(CommandError, match="--item 'abc' is not a whole number"):
        call_command("cognition_fetch_forecasts", "--store", "1", "--start", "2026-04-03", "--end", "2026-04-03",
                     "--item", "abc")  # fmt: skip
    fake_cognition.fail_next(403, message="No active Cognition DF3 subscription.")
    with pytest.raises(CommandError, match=r"403.*No active Cognition DF3 subscription"):
        call_command("cognition_fetch_forecasts", "--store", "1", "--start", "2026-04-03", "--end", "2026-04-03",
                     "--item", "5")  # fmt: skip


def test_customer_recommendations_page_through_headers(fake_cognition):
    customer = fake_cognition.data.customers[0]
    call_command("cognition_fetch_recommendations", "customer", "--customer", str(customer), "--size", "8")
    # 20 items in pages of 8: pages 0, 1 and 2 (short) were asked, with page/size as headers.
    pages = [(r["headers"].get("page"), r["headers"].get("size")) for r in fake_cognition.requests]
    assert pages == [("0", "8"), ("1", "8"), ("2", "8")]
    assert fake_cognition.requests[0]["headers"]["customer"] == str(customer)
    stored = list(Recommendation.objects.filter(kind="customer", subject=customer).order_by("rank"))
    assert len(stored) == 20
    assert [rec.rank for rec in stored] == list(range(1, 21))
    assert len({rec.recommended for rec in stored}) == 20
    assert stored[0].score == Decimal("0.99000000") and stored[0].raw["id"] == stored[0].recommended


def test_refetching_replaces_a_subjects_recommendations(fake_cognition):
    customer = fake_cognition.data.customers[1]
    fake_cognition.data.coupon_recommendations[customer] = [big(901), big(902)]
    call_command("cognition_fetch_recommendations", "coupon", "--customer", str(customer))
    fake_cognition.data.coupon_recommendations[customer] = [big(903)]
    call_command("cognition_fetch_recommendations", "coupon", "--customer", str(customer))
    assert list(Recommendation.objects.filter(kind="coupon").values_list("subject", "recommended", "rank")) == [
        (customer, big(903), 1)
    ]


@pytest.mark.parametrize(
    ("kind", "args", "subjects"),
    [
        ("similar", [], 20),
        ("related", [], 20),
        ("promotion", ["--customer", "4294967296501", "--store", str(STORE)], 1),
        ("ecircular", ["--worksheet", "4307852254284"], 10),
        ("allcustomercoupon", ["--size", "4"], 10),
    ],
)
def test_every_recommendation_endpoint(fake_cognition, kind, args, subjects):
    call_command("cognition_fetch_recommendations", kind, *args)
    stored = Recommendation.objects.filter(kind=kind)
    assert stored.values("subject").distinct().count() == subjects
    assert all(rec.recommended > 2**32 for rec in stored)
    if kind == "promotion":
        assert set(stored.values_list("scope", flat=True)) == {STORE}
    if kind == "ecircular":
        assert set(stored.values_list("scope", flat=True)) == {4307852254284}


def test_missing_parameters_are_named(fake_cognition):
    with pytest.raises(CommandError, match="promotion recommendations need --store"):
        call_command("cognition_fetch_recommendations", "promotion", "--customer", "1")
    assert fake_cognition.requests == []
