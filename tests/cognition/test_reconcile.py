"""Reconciliation: hub redemptions against third-party coupon lines pulled from Cognition,
with a known set of matches and mismatches both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from cognition.models import ReconciliationReport
from cognition.testing.fake_server import FakeData, big
from coupons.models import Coupon, PosTransaction, Redemption, Site
from items.models import Store

pytestmark = pytest.mark.django_db

EASTERN = ZoneInfo("America/New_York")
DAY = datetime(2026, 3, 2, tzinfo=EASTERN)


@pytest.fixture
def fake_data():
    # No generated transactions in March: only the hand-made ones below.
    return FakeData(origin=datetime(2027, 1, 1, tzinfo=UTC))


def cognition_sale(data, *, seq, hour, store="0001", terminal=2, lines=(), day=DAY):
    ended = (day + timedelta(hours=hour)).replace(tzinfo=None)
    head = {
        "TRN_PK": big(10_000 + seq),
        "StoreNumber": store,
        "TRN_SequenceNumber": seq,
        "TRN_ReceiptNumber": 5000 + seq,
        "TCF_Number": terminal,
        "TRN_EndTime": ended.isoformat(sep=" "),
    }
    rows = [{**head, "TLI_PK": big(seq * 100 + 1), "TLI_LIT_FK": 1, "TLI_Amount": 3.99}]
    for index, (provider, amount, entry, void) in enumerate(lines, start=2):
        rows.append(
            {
                **head,
                "TLI_PK": big(seq * 100 + index),
                "TLI_LIT_FK": 31,
                "TLI_Amount": -amount,
                "CTI_BonusAmount": amount,
                "CTI_EntryMethod": entry,
                "CTI_Void": void,
                "CTI_ProviderId": provider,
            }
        )
    data.add_transaction(uploaded=(day + timedelta(hours=hour, minutes=5)).astimezone(UTC), rows=rows)


def hub_redemption(site, coupon, *, transaction, hour, discount, terminal=2, day=DAY):
    pos, _ = PosTransaction.objects.get_or_create(
        site=site,
        transaction_id=transaction,
        defaults={"terminal": terminal, "time": day + timedelta(hours=hour), "status": "committed"},
    )
    Redemption.objects.create(coupon=coupon, transaction=pos, discount=Decimal(discount), line_id="1")


@pytest.fixture
def scenario(fake_cognition):
    data = fake_cognition.data
    site = Site.objects.create(site_id="STO1", store=Store.objects.create(number="1", name="Main"))
    digital = Coupon.objects.create(
        coupon_id="DIG50", external_id="7001", reward_kind="amount", reward_value=Decimal("0.50")
    )
    other = Coupon.objects.create(coupon_id="7002", reward_kind="amount", reward_value=Decimal("0.50"))
    # 101: redeemed in both, same amount → matched.
    hub_redemption(site, digital, transaction="101", hour=10, discount="0.50")
    cognition_sale(data, seq=101, hour=10, lines=[("7001", 0.5, 3, 0)])
    # 102: the hub redeemed 7002, Cognition has a different third-party coupon → one each way.
    hub_redemption(site, other, transaction="102", hour=11, discount="1.00")
    cognition_sale(data, seq=102, hour=11, lines=[("7999", 1.0, 3, 0)])
    # 103: redeemed in the hub, the sale is not in Cognition at all.
    hub_redemption(site, digital, transaction="103", hour=12, discount="0.50")
    # 104: matched, but the amounts differ.
    hub_redemption(site, digital, transaction="104", hour=13, discount="0.75")
    cognition_sale(data, seq=104, hour=13, lines=[("7001", 0.5, 3, 0)])
    # 105: a third-party coupon line with no hub redemption.
    cognition_sale(data, seq=105, hour=14, lines=[("7002", 2.0, 3, 0)])
    # Not third-party (scanned paper coupon), voided, or outside the range: ignored.
    cognition_sale(data, seq=106, hour=15, lines=[("7001", 0.5, 2, 0), ("7001", 0.5, 3, 1)])
    cognition_sale(data, seq=107, hour=10, lines=[("7001", 0.5, 3, 0)], day=DAY + timedelta(days=3))
    # A redemption on a day outside the range: not reported.
    hub_redemption(site, digital, transaction="201", hour=10, discount="0.50", day=DAY - timedelta(days=5))
    with time_machine.travel(datetime(2026, 3, 10, 15, tzinfo=UTC), tick=False):
        call_command("cognition_pull_transactions", "--start", "2026-03-01", "--end", "2026-03-07")


def test_report_lists_matches_and_mismatches_both_ways(scenario, capsys):
    call_command("cognition_reconcile", "--start", "2026-03-02", "--end", "2026-03-02")
    out = capsys.readouterr().out
    report = ReconciliationReport.objects.get()
    assert (report.matched, report.hub_only, report.cognition_only) == (2, 2, 2)
    found = {(row["status"], row["transaction"], row["coupon"], row["note"]) for row in report.rows}
    assert found == {
        ("matched", "101", "DIG50", ""),
        ("matched", "104", "DIG50", "amounts differ"),
        ("hub_only", "102", "7002", "transaction found in Cognition, but no third-party coupon line for this coupon"),
        ("hub_only", "103", "DIG50", "transaction not found in Cognition"),
        ("cognition_only", "102", "7999", "third-party coupon line with no hub redemption"),
        ("cognition_only", "105", "7002", "third-party coupon line with no hub redemption"),
    }
    matched = next(row for row in report.rows if row["transaction"] == "104")
    assert (matched["hub_discount"], matched["cognition_amount"]) == ("0.75", "0.50")
    assert "2 matched, 2 redeemed in the hub only, 2 in Cognition only" in out
    assert "transaction not found in Cognition" in out


def test_an_empty_range_reports_nothing_and_exits_zero(scenario, capsys):
    call_command("cognition_reconcile", "--start", "2026-02-01", "--end", "2026-02-02")
    assert "0 matched, 0 redeemed in the hub only, 0 in Cognition only" in capsys.readouterr().out


def test_admin_runs_and_shows_the_report(scenario, staff_client):
    page = staff_client.get("/admin/cognition/reconciliationreport/run/")
    assert page.status_code == 200
    refused = staff_client.post(
        "/admin/cognition/reconciliationreport/run/", {"start": "2026-03-03", "end": "2026-03-02"}
    )
    assert "The end must not be before the start." in refused.content.decode()
    response = staff_client.post(
        "/admin/cognition/reconciliationreport/run/", {"start": "2026-03-02", "end": "2026-03-02"}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Redeemed in the hub, missing in Cognition" in html and "transaction not found in Cognition" in html
    listing = staff_client.get("/admin/cognition/reconciliationreport/")
    assert "Run a reconciliation" in listing.content.decode()
