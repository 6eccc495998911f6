"""`seed_demo` leaves a day of price changes: today's batch per store and its tags PDF."""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from labels.models import LabelBatch

pytestmark = pytest.mark.django_db


def test_the_demo_shows_todays_price_changes_as_a_batch_with_tags(staff_client):
    out = StringIO()
    call_command("seed_demo", stdout=out)

    listing = staff_client.get("/api/label-batches/", {"status": "open"}).json()
    assert listing["count"] == 3  # one per demo store
    batch = listing["results"][0]
    assert 0 < batch["entry_count"] < 300 and {entry["reason"] for entry in batch["entries"]} == {"price"}
    assert all(entry["old_text"] != entry["new_text"] for entry in batch["entries"])
    pdf = staff_client.get(f"/api/label-batches/{batch['id']}/tags.pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert batch["entries"][0]["new_text"] in text
    assert "labelbatch" in out.getvalue()
    assert LabelBatch.objects.filter(status="closed").count() == 3  # yesterday's, hung
