"""seed_demo's scale section: the demo stores mapped, deli and bakery items pushed through
the push machinery, an unmapped store to map; running it again changes nothing."""

from io import StringIO

import pytest
from django.core.management.base import OutputWrapper

from demo.scales import PRODUCTS, generate_scale_items, seed_scale_items
from demo.seed import DemoSeed
from ecrs_hub.models import Push
from items.models import Store
from scales.models import ScaleDefaults, ScaleItem, ScaleItemStore
from scales.nutrition import nutrition_panel
from scales.selectors import resolved_scale_items

pytestmark = pytest.mark.django_db


def run_section() -> DemoSeed:
    seed = DemoSeed(OutputWrapper(StringIO()), OutputWrapper(StringIO()))
    seed_scale_items(seed)
    return seed


def test_the_demo_scale_items_land_at_the_mapped_stores_and_a_rerun_changes_nothing(staff_client):
    Store.objects.create(number="27", name="Urban Market Boone", record_id="4294967297054")

    first = run_section()

    assert first.stderr._out.getvalue() == ""
    assert Push.objects.filter(endpoint=Push.Endpoint.SCALE_ITEMS, status=Push.Status.OK).count() == 2
    assert ScaleItem.objects.count() == len(PRODUCTS) + 1
    boone = Store.objects.get(number="27")
    assert (boone.scale_store_id, boone.unmapped, boone.record_id) == ("S27", False, "4294967297054")
    assert set(Store.objects.filter(unmapped=False).values_list("scale_store_id", flat=True)) == {"S27", "S28", "S29"}
    assert Store.objects.get(scale_store_id="S31").unmapped is True
    assert ScaleItemStore.objects.filter(store__scale_store_id__in=["S27", "S28", "S29"]).count() == 3 * len(PRODUCTS)
    assert ScaleDefaults.objects.get().desc_line4 == "Thank you for shopping Urban Market"
    records = list(resolved_scale_items(boone))
    assert len(records) == len(PRODUCTS)
    salad = records[0]
    assert (salad["descLine1"], salad["descLine4"], salad["unit"], salad["tare"]) == (
        "Dill Potato Salad",
        "Thank you for shopping Urban Market",
        "lb",
        salad["tare"],
    )
    assert not nutrition_panel(salad["nutrition"][0]).missing  # every mandatory nutrient is sent
    # Store overrides show in resolution: S29's third line, S28's own shelf life, a deletion.
    s29 = {record["itemId"]: record for record in resolved_scale_items(Store.objects.get(scale_store_id="S29"))}
    assert s29["20000"]["descLine3"] == "Local favorite"
    assert "20005" not in s29
    assert any("Label preview: http://127.0.0.1:8000/admin/scales/scaleitemstore/" in line for line in first.summary)
    label_url = next(line for line in first.summary if line.startswith("Label preview")).split("8000")[1]
    assert staff_client.get(label_url, {"weight": "1.02"}).status_code == 200

    seqs = dict(ScaleItemStore.objects.values_list("pk", "change_seq"))
    run_section()

    assert ScaleItem.objects.count() == len(PRODUCTS) + 1 and Store.objects.count() == 4
    assert dict(ScaleItemStore.objects.values_list("pk", "change_seq")) == seqs
    last = Push.objects.filter(endpoint=Push.Endpoint.SCALE_ITEMS).order_by("-pk")[:2]
    assert [push.unchanged for push in last] == [1, len(PRODUCTS)]


def test_generated_pages_are_deterministic_and_carry_every_documented_field():
    page = generate_scale_items(100, [f"S{n}" for n in range(10)], start=1000)

    assert page == generate_scale_items(100, [f"S{n}" for n in range(10)], start=1000)
    assert len(page) == 100 and all(len(item["stores"]) == 10 for item in page)
    assert len({item["itemId"] for item in page}) == 100
    from scales import wire

    documented = {field.name for field in wire.SCALE_ITEM.fields} | {"stores", "nutrition"}
    assert documented <= set(page[0])
    assert {field.name for field in wire.SCALE_ITEM_STORE.fields} | {"nutrition"} <= set(page[0]["stores"][0])


def test_the_plain_value_reading_resolves_exactly_as_the_models_do(db):
    # The export and the ingest read rows as plain values (selectors.resolution_rows), the
    # label preview reads model instances: both must give the same resolved records.
    from scales.selectors import resolution_rows, resolved_hash, scale_default_lines, scale_item_resolve

    run_section()
    lines = scale_default_lines()
    by_models = {
        at_store.pk: scale_item_resolve(at_store.scale_item, at_store, lines)
        for at_store in ScaleItemStore.objects.select_related("scale_item")
    }
    by_values = {
        row.pk: scale_item_resolve(row.item, row.at_store, lines)
        for row in resolution_rows(ScaleItemStore.objects.all())
    }

    assert len(by_models) == 3 * len(PRODUCTS) + 1
    assert by_values == by_models
    stored = dict(ScaleItemStore.objects.values_list("pk", "resolved_hash"))
    assert {pk: resolved_hash(record) for pk, record in by_models.items()} == stored
