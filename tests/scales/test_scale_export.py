"""GET /ecrs/scale-export/<scale_store_id>/ for scale management software (CONTRACT 2.9)."""

import copy
import csv
import io
import threading

import pytest
from django.db import connection, transaction

from items.models import Store
from scales.models import ScaleItem, ScaleItemStore
from scales.services import scale_resolution_refresh
from tests.conftest import Pusher, fixture_json

SAMPLE = fixture_json("scale-item.json")
PUSH = "/ecrs/scale-items/"
EXPORT = "/ecrs/scale-export/27/"


def record(item_id: str, **changes) -> dict:
    body = copy.deepcopy(SAMPLE)
    body.update(itemId=item_id, **changes)
    return body


@pytest.fixture
def scales(client, scales_key) -> Pusher:
    Store.objects.get_or_create(number="27", scale_store_id="27")
    return Pusher(client, scales_key.key)


def export(scales: Pusher, path: str = EXPORT, **params):
    return scales.client.get(path, params, HTTP_X_API_KEY=scales.key)


@pytest.mark.django_db
def test_a_full_export_then_only_the_changes_since_the_cursor(scales):
    scales.post(PUSH, [record("1"), record("2"), record("3", deleted=True)])

    first = export(scales)
    assert first.status_code == 200
    body = first.json()
    assert [item["itemId"] for item in body["items"]] == ["1", "2"]  # no tombstones on a first load
    assert body["more"] is False
    one = body["items"][0]
    assert (one["unitPrice"], one["tare"], one["descLine1"], one["active"], one["deleted"]) == (
        "4.99",
        "0.25",
        "string",
        True,
        False,
    )
    assert one["nutrition"][0]["values"] == [{"type": "VITAMIN_D", "value": "30"}]

    assert export(scales, cursor=body["cursor"]).json()["items"] == []

    scales.post(PUSH, [record("1", cool="France"), record("2", deleted=True), record("4")])
    changes = export(scales, cursor=body["cursor"]).json()
    assert [(item["itemId"], item["deleted"], item["cool"]) for item in changes["items"]] == [
        ("1", False, "France"),
        ("2", True, "Germany"),
        ("4", False, "Germany"),
    ]
    assert export(scales, cursor=changes["cursor"]).json()["items"] == []


@pytest.mark.django_db
def test_pages_follow_the_cursor_until_more_is_false(scales):
    scales.post(PUSH, [record(str(n)) for n in range(5)])

    seen, cursor = [], None
    for _ in range(5):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = export(scales, **params).json()
        seen += [item["itemId"] for item in body["items"]]
        cursor = body["cursor"]
        if not body["more"]:
            break
    assert sorted(seen) == ["0", "1", "2", "3", "4"] and len(seen) == 5
    assert all(char.isalnum() or char in "-_" for char in cursor)


@pytest.mark.django_db
def test_the_csv_gives_the_same_rows(scales):
    scales.post(PUSH, [record("1"), record("2")])

    response = export(scales, format="csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["itemId"] for row in rows] == ["1", "2"]
    assert (rows[0]["unitPrice"], rows[0]["forceTare"], rows[0]["deleted"]) == ("4.99", "true", "false")
    assert response["X-Scale-More"] == "false"
    later = export(scales, format="csv", cursor=response["X-Scale-Cursor"])
    assert later.content.decode().strip().count("\n") == 0  # the header only


@pytest.mark.django_db
def test_refusals_answer_with_the_envelope(client, items_key, scales):
    assert client.get(EXPORT).status_code == 401
    assert client.get(EXPORT, HTTP_X_API_KEY=items_key.key).status_code == 401
    assert export(scales, "/ecrs/scale-export/nope/").status_code == 404
    assert export(scales, cursor="!!").status_code == 400
    assert export(scales, limit="0").status_code == 400
    assert export(scales, format="xml").status_code == 400
    assert scales.client.post(EXPORT, {}, HTTP_X_API_KEY=scales.key).status_code == 405
    assert export(scales, "/ecrs/scale-export/27").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_while_a_client_reads_is_not_skipped(scales):
    scales.post(PUSH, [record("1"), record("2")])
    cursor = export(scales).json()["cursor"]
    numbered, release = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                ScaleItem.objects.filter(item_id="2").update(cool="Peru")
                scale_resolution_refresh(ScaleItemStore.objects.filter(scale_item__item_id="2"))
                numbered.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert numbered.wait(10)
    # The writer holds its number but has not committed: the read returns nothing and
    # its cursor does not move past the writer's number.
    during = export(scales, cursor=cursor).json()
    assert during["items"] == []
    release.set()
    thread.join(10)

    after = export(scales, cursor=during["cursor"]).json()
    assert [(item["itemId"], item["cool"]) for item in after["items"]] == [("2", "Peru")]
