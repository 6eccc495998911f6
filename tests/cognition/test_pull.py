"""Pulling transaction history end to end: the command against the fake server over real
HTTP, into the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cognition.models import PullRun, PullWindow, Transaction, TransactionLine
from cognition.services import rows_store

from .conftest import ORIGIN, expected_rows

pytestmark = pytest.mark.django_db

CLOCK = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 10:00 Eastern: 9 March is allowed
START = "2026-03-01T00:00:00-05:00"
END = "2026-03-04T00:00:00-05:00"  # 72 hours: three windows


def pull(*args):
    with time_machine.travel(CLOCK, tick=False):
        call_command("cognition_pull_transactions", "--start", START, "--end", END, *args)


def expected(fake, start=START, end=END):
    rows = expected_rows(fake.data, datetime.fromisoformat(start), datetime.fromisoformat(end))
    return {row["TRN_PK"] for row in rows}, {(row["TRN_PK"], row["TLI_PK"]) for row in rows}


def stored():
    return (
        set(Transaction.objects.values_list("trn_pk", flat=True)),
        set(TransactionLine.objects.values_list("transaction_id", "tli_pk")),
    )


def test_pull_stores_every_transaction_and_line_of_the_range(fake_cognition):
    pull()
    transactions, lines = expected(fake_cognition)
    assert stored() == (transactions, lines)
    run = PullRun.objects.get()
    assert run.status == "done" and run.kind == "manual"
    assert list(run.windows.values_list("status", flat=True)) == ["done", "done", "done"]
    requested = [
        (r["query"]["ingestionStartTime"][0], r["query"]["ingestionEndTime"][0]) for r in fake_cognition.requests
    ]
    assert requested == [
        ("2026-03-01T05:00:00.000Z", "2026-03-02T07:00:00.000Z"),
        ("2026-03-02T06:59:59.000Z", "2026-03-03T08:59:59.000Z"),
        ("2026-03-03T08:59:58.000Z", "2026-03-04T05:00:00.000Z"),
    ]
    # The row ingested exactly on a window's end (07:00) comes with the next window.
    on_boundary = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert Transaction.objects.filter(cognition_upload_time=on_boundary).count() == 1
    assert run.lines >= len(lines)  # rows in the one-second overlaps count twice


def test_fields_are_typed(fake_cognition):
    pull()
    source = {
        (row["TRN_PK"], row["TLI_PK"]): row
        for row in expected_rows(fake_cognition.data, ORIGIN, ORIGIN + timedelta(hours=72))
    }
    coupon = TransactionLine.objects.filter(line_type=31).select_related("transaction").first()
    raw = source[(coupon.transaction_id, coupon.tli_pk)]
    assert coupon.coupon_entry_method == 3 and coupon.coupon_void == 0
    assert coupon.coupon_amount == Decimal("0.5000") and coupon.amount == Decimal("-0.5000")
    assert coupon.coupon_provider_id == raw["CTI_ProviderId"]
    assert coupon.coupon_expiration.isoformat() == raw["CTI_Expiration"]
    item = TransactionLine.objects.filter(line_type=1).select_related("transaction").first()
    raw = source[(item.transaction_id, item.tli_pk)]
    assert item.amount == Decimal(str(raw["TLI_Amount"])).quantize(Decimal("0.0001"))
    assert item.quantity == Decimal(raw["TLI_Quantity"])
    assert item.scan_code == raw["TLI_ScanCode"] and item.department_number == raw["DPT_Number"]
    assert item.item_id == raw["ITI_INV_FK"] > 2**32
    assert item.extra == {"SalespersonFK": raw["SalespersonFK"]}
    trn = item.transaction
    assert trn.store_id == raw["TRN_STO_FK"] and trn.store_number == raw["StoreNumber"]
    assert trn.cognition_upload_time.isoformat(sep=" ").startswith(raw["CognitionUploadTime"])
    assert trn.cognition_upload_time.utcoffset() == timedelta(0)
    # TRN_EndTime has no offset: the stores' local time.
    assert trn.end_time == datetime.fromisoformat(raw["TRN_EndTime"]).replace(
        tzinfo=__import__("zoneinfo").ZoneInfo("America/New_York")
    )
    assert isinstance(trn.total, Decimal)


def test_pulling_twice_gives_the_same_rows(fake_cognition):
    pull()
    first = stored()
    amounts = dict(TransactionLine.objects.values_list("tli_pk", "amount"))
    pull()
    assert stored() == first
    assert dict(TransactionLine.objects.values_list("tli_pk", "amount")) == amounts
    assert PullRun.objects.filter(status="done").count() == 2


def test_an_interrupted_pull_resumes_at_its_first_unfinished_window(fake_cognition, settings):
    settings.COGNITION_RETRIES = 0
    fake_cognition.fail_request(2, 500, message="database restarting")
    with pytest.raises(CommandError, match="Run the same command again to resume") as stopped:
        pull()
    assert "database restarting" in str(stopped.value)
    run = PullRun.objects.get()
    assert run.status == "failed"
    assert list(run.windows.values_list("status", flat=True)) == ["done", "failed", "pending"]
    assert "500" in run.windows.get(index=1).error
    partial = stored()
    assert partial[0] and partial[0] < expected(fake_cognition)[0]

    fake_cognition.requests.clear()
    pull()
    assert PullRun.objects.get().status == "done"  # the same run, resumed
    starts = [r["query"]["ingestionStartTime"][0] for r in fake_cognition.requests]
    assert starts == ["2026-03-02T06:59:59.000Z", "2026-03-03T08:59:58.000Z"]  # window 0 not again
    assert stored() == expected(fake_cognition)
    assert PullWindow.objects.get(index=1).attempts == 2


def test_a_connection_dropped_mid_answer_keeps_the_window_open(fake_cognition, settings):
    fake_cognition.data.interval = timedelta(seconds=60)  # about 7,000 rows a window
    fake_cognition.cut_after_rows = 6000  # more than one stored batch (5,000 rows) of the first window
    with pytest.raises(CommandError, match="body interrupted"):
        pull()
    window = PullWindow.objects.get(index=0)
    assert (window.status, window.lines) == ("failed", 0)
    assert TransactionLine.objects.count() == 5000  # the first batch is stored; the window is not done
    pull()
    assert stored() == expected(fake_cognition)
    assert PullRun.objects.get().status == "done"


def test_csv_pull_stores_the_same_data(fake_cognition):
    def snapshot():
        # Untyped extras arrive as text in CSV: compared as text.
        return {
            line.tli_pk: (
                line.amount,
                line.quantity,
                line.coupon_expiration,
                {k: str(v) for k, v in line.extra.items()},
            )
            for line in TransactionLine.objects.all()
        }

    pull("--format", "csv")
    assert fake_cognition.responses[0]["content_type"].startswith("text/csv")
    via_csv = snapshot()
    TransactionLine.objects.all().delete()
    Transaction.objects.all().delete()
    pull("--format", "json")
    assert via_csv == snapshot()


def test_status_and_all_void_filters_are_sent_and_applied(fake_cognition):
    pull("--status", "3")
    statuses = set(Transaction.objects.values_list("status", flat=True))
    assert statuses == {3}
    assert fake_cognition.requests[0]["query"]["TransactionStatus"] == ["3"]
    Transaction.objects.all().delete()
    pull("--all-void", "1")
    assert set(Transaction.objects.values_list("all_void", flat=True)) == {1}


def test_bad_rows_are_skipped_and_reported(db):
    result = rows_store(
        [
            {"TRN_PK": 1, "TLI_PK": 1, "TLI_Amount": "abc"},
            {"TRN_PK": 1, "TLI_PK": 2, "TLI_Amount": 1.5},
            {"TLI_PK": 3},
        ]
    )
    assert (result.lines, result.skipped) == (1, 2)
    assert "row[0].TLI_Amount: 'abc' must be a number" in result.problems[0]
    assert "row[2].TRN_PK" in result.problems[1]


def test_storing_a_batch_takes_a_fixed_number_of_queries(fake_cognition):
    rows = expected_rows(fake_cognition.data, ORIGIN, ORIGIN + timedelta(hours=20))
    with CaptureQueriesContext(connection) as few:
        rows_store(rows[:20])
    with CaptureQueriesContext(connection) as many:
        rows_store(rows)
    assert len(rows) > 300
    assert len(many) <= len(few) + 2
