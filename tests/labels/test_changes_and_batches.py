"""What an items push records of label data, and how the changes become label batches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from items.models import LabelChange
from labels.models import LabelBatch, LabelEntry
from labels.services import label_batches_refresh
from tests.labels.conftest import item_record

pytestmark = pytest.mark.django_db


def kinds():
    return [change.kind for change in LabelChange.objects.order_by("seq")]


def test_new_items_changes_deletion_and_revival_are_recorded_once_each(pusher):
    # Given two items at two stores
    assert pusher.items([item_record(1, stores=("27", "28")), item_record(2)]).status_code == 200
    assert kinds() == ["new"] * 3

    # When the same page comes again, nothing is recorded
    assert pusher.items([item_record(1, stores=("27", "28")), item_record(2)]).status_code == 200
    assert LabelChange.objects.count() == 3

    # When a non-label field changes (memo), nothing is recorded either
    record = item_record(2)
    record["memo"] = "Another memo"
    assert pusher.items([record]).status_code == 200
    assert LabelChange.objects.count() == 3

    # When item 1's name changes, both its stores record it, with old and new values
    renamed = item_record(1, stores=("27", "28"))
    renamed["itemName"] = "Renamed item"
    assert pusher.items([renamed]).status_code == 200
    latest = list(LabelChange.objects.order_by("seq")[3:])
    assert [(c.kind, c.fields) for c in latest] == [("changed", ["item_name"])] * 2
    assert (latest[0].old["item_name"], latest[0].new["item_name"]) == ("Test item 1", "Renamed item")
    assert latest[0].push is not None

    # When item 2 is deleted from its store, then revived
    assert pusher.items([item_record(2, deleted="true")]).status_code == 200
    assert pusher.items([item_record(2, deleted="false")]).status_code == 200
    assert kinds()[-2:] == ["deleted", "revived"]


def test_prices_are_recorded_as_decimal_strings(pusher):
    pusher.items([item_record(1, price="3.49")])
    pusher.items([item_record(1, price="3.99")])
    change = LabelChange.objects.order_by("seq").last()
    assert change.fields == ["price1"]
    assert Decimal(change.old["price1"]) == Decimal("3.49") and Decimal(change.new["price1"]) == Decimal("3.99")


def test_an_unchanged_resend_reads_no_label_data(pusher):
    page = [item_record(n) for n in range(1, 21)]
    pusher.items(page)
    with CaptureQueriesContext(connection) as queries:
        pusher.items(page)
    assert not [q for q in queries.captured_queries if "items_labelchange" in q["sql"]]


def test_a_changed_resend_costs_a_fixed_number_of_label_queries(pusher):
    page = [item_record(n) for n in range(1, 41)]
    pusher.items(page)
    changed = [item_record(n, price="9.99" if n % 10 == 0 else "3.49") for n in range(1, 41)]
    with CaptureQueriesContext(connection) as few:
        pusher.items(changed)
    changed_again = [item_record(n, price="8.99" if n % 2 == 0 else "3.49") for n in range(1, 41)]
    with CaptureQueriesContext(connection) as many:
        pusher.items(changed_again)
    assert LabelChange.objects.filter(kind="changed").count() == 4 + 20
    assert len(many.captured_queries) <= len(few.captured_queries) + 2


def test_a_promotion_from_tomorrow_joins_the_batches_of_its_start_and_end_days(pusher):
    today = timezone.localdate()
    pusher.items([item_record(1, price="4.00")])
    label_batches_refresh()
    LabelBatch.objects.all().delete()
    start, end = today + dt.timedelta(days=1), today + dt.timedelta(days=7)
    promoted = item_record(
        1, price="4.00", promoPrice1="3.00", promoDivider1="1", promoStart=start.isoformat(), promoEnd=end.isoformat()
    )
    assert pusher.items([promoted]).status_code == 200

    label_batches_refresh()
    batches = {batch.effective_date: batch for batch in LabelBatch.objects.all()}
    assert set(batches) == {start, end + dt.timedelta(days=1)}
    starting = batches[start].entries.get()
    assert (starting.reason, starting.old_text, starting.new_text) == ("promo_start", "$4.00", "$3.00")
    ending = batches[end + dt.timedelta(days=1)].entries.get()
    assert (ending.reason, ending.old_text, ending.new_text) == ("promo_end", "$4.00", "$4.00")


def test_a_closed_batch_takes_no_new_entries(pusher, staff_client):
    pusher.items([item_record(1), item_record(2)])
    label_batches_refresh()
    batch = LabelBatch.objects.get()
    assert batch.entries.count() == 2  # new items
    response = staff_client.post(f"/api/label-batches/{batch.pk}/close/")
    assert response.status_code == 200 and response.json()["status"] == "closed"

    pusher.items([item_record(1, price="1.99"), item_record(2)])

    assert batch.entries.count() == 2
    label_batches_refresh()
    fresh = LabelBatch.objects.get(status="open")
    assert fresh.effective_date == batch.effective_date
    assert [(e.item_store.item.item_id, e.reason, e.old_text, e.new_text) for e in fresh.entries.all()] == [
        ("12345000001", "price", "$3.49", "$1.99")
    ]


def test_a_second_change_the_same_day_keeps_the_first_old_price(pusher):
    pusher.items([item_record(1, price="3.49")])
    label_batches_refresh()
    LabelBatch.objects.all().delete()
    pusher.items([item_record(1, price="2.99")])
    pusher.items([item_record(1, price="2.49")])
    label_batches_refresh()
    entry = LabelEntry.objects.get()
    assert (entry.old_text, entry.new_text, entry.reason) == ("$3.49", "$2.49", "price")


def test_staff_print_and_hang_a_batch(pusher, staff_client):
    pusher.items([item_record(1)])
    label_batches_refresh()
    batch = LabelBatch.objects.get()
    printed = staff_client.post(f"/api/label-batches/{batch.pk}/print/").json()
    assert printed["print_count"] == 1 and printed["printed_at"]
    hung = staff_client.post(f"/api/label-batches/{batch.pk}/hung/").json()
    assert hung["hung_at"] and hung["status"] == "closed"


def test_the_batch_api_needs_staff_permissions(client, pusher, django_user_model):
    pusher.items([item_record(1)])
    label_batches_refresh()
    batch = LabelBatch.objects.get()
    assert client.get("/api/label-batches/").status_code == 401
    viewer = django_user_model.objects.create_user("viewer", password="viewer-pass-123", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_labelbatch"))
    client.force_login(viewer)
    assert client.get("/api/label-batches/", {"store": "27"}).status_code == 200
    assert client.post(f"/api/label-batches/{batch.pk}/close/").status_code == 403


def test_label_changes_in_the_staff_api_filter_by_store_item_and_since(pusher, staff_client):
    pusher.items([item_record(1, stores=("27", "28")), item_record(2)])
    pusher.items([item_record(1, price="1.00", stores=("27", "28"))])
    rows = staff_client.get("/api/label-changes/", {"store": "28", "item": "12345000001"}).json()["results"]
    assert [(row["kind"], row["store_number"]) for row in rows] == [("changed", "28"), ("new", "28")]
    later = staff_client.get("/api/label-changes/", {"since": "2999-01-01T00:00:00Z"}).json()
    assert later["count"] == 0


def test_the_item_price_history_lists_each_stores_prices(pusher):
    from items.models import Item
    from items.selectors import item_price_history

    pusher.items([item_record(1, price="3.49", stores=("27", "28"))])
    pusher.items([item_record(1, price="2.99", stores=("27", "28"))])
    history = item_price_history(Item.objects.get(record_id="R1"))
    assert [entry["store"].number for entry in history] == ["27", "28"]
    assert [point["price"] for point in history[0]["points"]] == [Decimal("3.49"), Decimal("2.99")]
