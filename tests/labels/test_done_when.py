"""The issue's "done when", over HTTP: a first page sets prices, a second changes some; the
day's batch holds exactly the changed item-stores with old and new prices; its PDF shows the
new prices, unit prices and barcodes; the label export with the returned cursor is empty
after; an unchanged re-send adds nothing."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from items.models import LabelChange
from labels.models import LabelBatch, LabelEntry
from labels.services import label_batches_refresh
from tests.labels.conftest import item_record

pytestmark = pytest.mark.django_db(transaction=False)


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def pdf_barcodes(body: bytes) -> list[str]:
    found = []
    document = pypdfium2.PdfDocument(body)
    for page in document:
        image = page.render(scale=300 / 72).to_pil()
        # A UPC-A may read back as its EAN-13 (a leading 0): the same code.
        texts = [result.text for result in zxingcpp.read_barcodes(image)]
        found += [text[1:] if len(text) == 13 and text.startswith("0") else text for text in texts]
    return found


def export(client, key, **params):
    response = client.get("/ecrs/label-export/27/", params, HTTP_X_API_KEY=key)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_price_change_reaches_the_batch_the_tags_and_the_export(client, pusher, staff_client, labels_key):
    # Given a first page of five items at store 27, read once by the ESL system
    first = [item_record(n, price="3.49") for n in range(1, 6)]
    assert pusher.items(first).status_code == 200
    start = export(client, labels_key.key)
    assert len(start["items"]) == 5 and start["more"] is False
    label_batches_refresh()
    LabelBatch.objects.all().delete()  # the store hung its first tags

    # When a second page changes two prices (one to "2 for $5.00")
    second = [item_record(n, price="3.49") for n in range(1, 6)]
    second[1] = item_record(2, price="2.99")
    second[3] = item_record(4, price="5.00", divider1="2")
    response = pusher.items(second)
    assert response.status_code == 200, response.json()

    # Then the store's open batch for today holds exactly those two, old → new
    listing = staff_client.get("/api/label-batches/", {"store": "27"}).json()
    assert listing["count"] == 1
    batch = listing["results"][0]
    assert batch["status"] == "open" and batch["entry_count"] == 2
    entries = {entry["item_id"]: entry for entry in batch["entries"]}
    assert set(entries) == {"12345000002", "12345000004"}
    assert (entries["12345000002"]["old_text"], entries["12345000002"]["new_text"]) == ("$3.49", "$2.99")
    assert (entries["12345000004"]["old_text"], entries["12345000004"]["new_text"]) == ("$3.49", "2 for $5.00")
    assert {entry["reason"] for entry in batch["entries"]} == {"price"}

    # And its PDF shows the new prices, unit prices and scannable barcodes
    pdf = staff_client.get(f"/api/label-batches/{batch['id']}/tags.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "$2.99" in text and "2 for $5.00" in text
    assert "$0.19 per oz" in text  # 2.99 / 16 oz = 0.186875
    assert "$0.16 per oz" in text  # 5.00 / 2 / 16 oz = 0.15625
    assert "Item 12345000002" in text
    assert sorted(pdf_barcodes(pdf.content)) == ["123450000021", "123450000045"]  # with check digits

    # And the export from the first cursor gives the two changed items, then nothing
    changed = export(client, labels_key.key, cursor=start["cursor"])
    assert {record["itemId"]: record["shelfPriceText"] for record in changed["items"]} == {
        "12345000002": "$2.99",
        "12345000004": "2 for $5.00",
    }
    assert export(client, labels_key.key, cursor=changed["cursor"])["items"] == []

    # And an unchanged re-send records nothing and adds no entry
    changes, entries_before = LabelChange.objects.count(), LabelEntry.objects.count()
    assert pusher.items(second).status_code == 200
    assert (LabelChange.objects.count(), LabelEntry.objects.count()) == (changes, entries_before)
    assert export(client, labels_key.key, cursor=changed["cursor"])["items"] == []
