"""The demo catalogue, the CATAPULT simulator and image pruning, through the real endpoints."""

import io
import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from demo import catalog as demo
from ecrs_hub.models import Integration, Push
from items import wire
from items.models import Item, ItemImage, ItemStore, ItemSupplier, PriceLabelType, Store, Supplier


def valid_upc(code: str) -> bool:
    digits = [int(digit) for digit in code]
    return len(code) == 12 and (sum(digits[0:11:2]) * 3 + sum(digits[1:11:2]) + digits[11]) % 10 == 0


def stored_matches_sent(row, schema, raw: dict) -> list[str]:
    """The fields of ``schema`` whose stored value is not the coerced value that was sent."""
    return [
        f"{spec.name}: sent {raw[spec.name]!r}, stored {getattr(row, spec.attr)!r}"
        for spec in schema
        if getattr(row, spec.attr) != spec.coerce(raw[spec.name])
    ]


# --- the generator ------------------------------------------------------------------------


def test_generated_items_carry_every_documented_field_typed_as_catapult_types_them():
    items = demo.generate_items(50, stores=3, suppliers_per_item=2)

    for item in items:
        assert set(item) == wire.ITEM.names | {"stores", "ordering"}
        for entry in item["stores"]:
            assert set(entry) == wire.STORE.names | wire.ITEM_STORE.names
        for unit in item["ordering"]:
            assert set(unit) == wire.ORDERING.names | {"supplierName"}
    store = items[0]["stores"][0]
    assert re.fullmatch(r"\d+\.\d{4}", store["price1"])  # "4.9900"
    assert store["fixedTare"] == "0.250" and store["shelfLife"].isdigit()
    assert {entry["forceShelfLife"] for item in items for entry in item["stores"]} == {"Yes", "No"}
    assert any(entry["local"] in ("true", "false") for item in items for entry in item["stores"])


def test_generated_identifiers_look_like_catapults():
    items = demo.generate_items(200, stores=6)

    codes = [item["itemId"] for item in items]
    plus = [code for code in codes if len(code) in (4, 5)]
    assert "94011" in plus and "4011" not in plus and len(plus) == 10  # the sample's organic bananas
    assert all(valid_upc(code) for code in codes if code not in plus)
    assert len(set(codes)) == len(codes)
    assert items[0]["recordID"] == "4294967296001" and items[5]["recordID"] == "4294967296006"
    assert all(re.fullmatch(r"\d{13}\.(jpg|png)", name) for name in demo.referenced_image_names(items))
    # Stores are the same for an index whatever the page: 6 distinct stores.
    assert len({entry["recordID"] for item in items for entry in item["stores"]}) == 6
    other = demo.generate_items(3, stores=6, seed=9, start=500)
    assert [entry["storeName"] for entry in other[0]["stores"]] == [entry["storeName"] for entry in items[0]["stores"]]


def test_generation_is_deterministic_and_alternates_and_images_are_optional():
    assert demo.generate_items(30, seed=4) == demo.generate_items(30, seed=4)
    assert demo.generate_items(30, seed=4) != demo.generate_items(30, seed=5)

    items = demo.generate_items(10, alternates_every=5, image_names=False)

    assert [item["recordID"] for item in items if "-" in item["recordID"]] == [
        "4294967296004-4887254236906",
        "4294967296009-4887254236911",
    ]
    assert demo.referenced_image_names(items) == []
    assert all(item["image"] is None and item["heathAttrImg6"] is None for item in items)


def test_mutating_changes_the_asked_fraction_and_leaves_the_original_alone():
    items = demo.generate_items(100)
    before = demo.generate_items(100)

    changed = demo.mutate_items(items, 0.1, 7)

    assert items == before
    differing = [(a, b) for a, b in zip(items, changed) if a != b]
    assert len(differing) == 10
    assert all(b["stores"][0]["price1"] != a["stores"][0]["price1"] for a, b in differing)


@pytest.mark.parametrize(
    ("name", "fmt", "expected"), [("1.jpg", None, "JPEG"), ("2.png", None, "PNG"), ("3", "gif", "GIF")]
)
def test_demo_images_are_real_images_of_the_asked_format(name, fmt, expected):
    data = demo.demo_image_bytes(name, fmt, label="Organic Bananas")

    with Image.open(io.BytesIO(data)) as image:
        assert image.format == expected and image.size == (96, 96)


# --- through the hub ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_generated_page_is_stored_whole_every_field_typed(pusher):
    items = demo.generate_items(20, stores=3, alternates_every=10)

    response = pusher.items(items)

    assert response.status_code == 200, response.json()
    assert response.json()["message"] == "20 items: 20 created, 0 updated, 0 unchanged."  # no warning: all documented
    assert (Item.objects.count(), ItemStore.objects.count(), Store.objects.count()) == (20, 60, 3)
    assert Item.objects.filter(base_record_id__isnull=False).count() == 2
    for raw in (items[0], items[13]):
        item = Item.objects.get(record_id=raw["recordID"])
        assert stored_matches_sent(item, wire.ITEM, raw) == []
        for entry in raw["stores"]:
            at_store = ItemStore.objects.get(item=item, store__record_id=entry["recordID"])
            assert stored_matches_sent(at_store, wire.ITEM_STORE, entry) == []
            assert stored_matches_sent(at_store.store, wire.STORE, entry) == []
        unit = ItemSupplier.objects.get(record_id=raw["ordering"][0]["recordID"])
        assert stored_matches_sent(unit, wire.ORDERING, raw["ordering"][0]) == []
        assert Supplier.objects.get(supplier_id=unit.supplier_id).name == raw["ordering"][0]["supplierName"]
    # A few by hand, as a person would check them.
    first, store = items[0], items[0]["stores"][0]
    at_store = ItemStore.objects.get(item__record_id=first["recordID"], store__record_id=store["recordID"])
    assert at_store.price1 == Decimal(store["price1"])  # sent "x.xx00"
    assert at_store.fixed_tare == Decimal("0.250")  # sent "0.250"
    assert at_store.force_shelf_life is (store["forceShelfLife"] == "Yes")  # sent "Yes" / "No"
    assert at_store.shelf_life == int(store["shelfLife"])  # sent "5"
    assert Item.objects.get(record_id=first["recordID"]).dept_number == int(first["deptNumber"])  # sent "4"


@pytest.mark.django_db(transaction=True)
def test_the_simulator_plays_catapult_over_http(live_server, items_key):
    out = StringIO()

    call_command(
        "simulate_catapult",
        "--url",
        live_server.url,
        "--key",
        items_key.key,
        "--items",
        "30",
        "--page-size",
        "20",
        "--images",
        "12",
        "--price-labels",
        "--changed",
        "0.2",
        "--header-mode",
        "query",
        stdout=out,
    )

    lines = out.getvalue().splitlines()
    assert sum(line.startswith("/ecrs/images/ ") for line in lines) == 2  # 10 + 2 files
    assert sum(line.startswith("/ecrs/price-label-settings/ ") for line in lines) == 1
    item_lines = [line for line in lines if line.startswith("/ecrs/items/ ")]
    assert len(item_lines) == 4  # 20 + 10 items, then the same re-sent with 6 changed
    assert all(" 200 " in line for line in lines)
    assert "20 items: 20 created" in item_lines[0] and "10 items: 10 created" in item_lines[1]
    assert sum(int(re.search(r"(\d+) updated", line)[1]) for line in item_lines[2:]) == 6
    assert (Item.objects.count(), ItemStore.objects.count(), PriceLabelType.objects.count()) == (30, 60, 3)
    # The images posted are the ones the items name: a product image and the health icons.
    images = set(ItemImage.objects.values_list("name", flat=True))
    assert len(images) == 12 and images <= set(demo.referenced_image_names(demo.generate_items(30)))
    assert Item.objects.get(record_id="4294967296001").image in images
    assert set(Push.objects.values_list("status", flat=True)) == {"ok"}
    assert set(Push.objects.values_list("remote_addr", flat=True)) == {"127.0.0.1"}


@pytest.mark.django_db(transaction=True)
def test_the_simulator_sends_the_key_as_a_bearer_token(live_server, items_key):
    call_command(
        "simulate_catapult",
        "--url",
        live_server.url,
        "--key",
        items_key.key,
        "--items",
        "3",
        "--header-mode",
        "bearer",
        stdout=StringIO(),
    )

    assert Item.objects.count() == 3
    assert Push.objects.get().status == "ok"


@pytest.mark.django_db(transaction=True)
def test_the_simulator_exits_non_zero_when_the_hub_refuses(live_server, items_key):
    out = StringIO()

    with pytest.raises(CommandError, match="not answered 200"):
        call_command(
            "simulate_catapult", "--url", live_server.url, "--key", "wrong-key-" * 4, "--items", "1", stdout=out
        )

    assert " 401 " in out.getvalue() and "unknown API key" in out.getvalue()
    assert Item.objects.count() == 0


def test_the_simulator_says_when_the_hub_is_unreachable():
    with pytest.raises(CommandError, match="cannot reach"):
        call_command(
            "simulate_catapult", "--url", "http://127.0.0.1:9", "--key", "k" * 43, "--items", "1", stdout=StringIO()
        )


# --- seed_demo --------------------------------------------------------------------------


def catalogue_counts():
    return {
        "items": Item.objects.count(),
        "items at stores": ItemStore.objects.count(),
        "supplier units": ItemSupplier.objects.count(),
        "images": ItemImage.objects.count(),
        "price label types": PriceLabelType.objects.count(),
        "stores": Store.objects.filter(unmapped=False).count(),  # the scales section adds an unmapped one
        "items integrations": Integration.objects.filter(kind="items").count(),
    }


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_catalogue(django_user_model):
    first = StringIO()
    call_command("seed_demo", stdout=first)
    counts = catalogue_counts()
    second = StringIO()

    call_command("seed_demo", stdout=second)

    assert counts == {
        "items": 300,
        "items at stores": 900,
        "supplier units": 300,
        "images": 248,  # 240 product images (every fifth item has none yet) and 8 health icons
        "price label types": 3,
        "stores": 3,
        "items integrations": 1,
    }
    assert catalogue_counts() == counts
    assert django_user_model.objects.filter(username="admin", is_superuser=True).count() == 1
    assert "300 items: 300 created" in first.getvalue() and "300 items: 0 created, 0 updated, 300 unchanged" in (
        second.getvalue()
    )
    assert "248 unchanged" in second.getvalue()
    # Every push went through the push log, like one received over HTTP, and was stored whole.
    assert set(Push.objects.values_list("status", flat=True)) == {"ok"}
    # The key is shown once; then only that it is unchanged.
    key_line = next(line for line in first.getvalue().splitlines() if "shown only now" in line)
    key = key_line.rsplit(" ", 1)[-1]
    assert Integration.objects.get(kind="items").key_hash == Integration.hash_key(key)
    assert key not in second.getvalue() and "key unchanged (rotate in the admin)" in second.getvalue()
    for out in (first, second):
        assert "http://127.0.0.1:8000/admin/" in out.getvalue() and "admin / admin" in out.getvalue()
        assert "demo login" in out.getvalue()


# --- prune_images -------------------------------------------------------------------------


@pytest.mark.django_db
def test_prune_images_marks_then_deletes_only_long_unreferenced_images(pusher, django_capture_on_commit_callbacks):
    item = demo.generate_items(1)[0]
    names = (item["image"], item["heathAttrImg1"], "orphan.jpg", "old-orphan.jpg")
    body, content_type = demo.multipart_body([(name, demo.demo_image_bytes(name, label=name)) for name in names])
    assert pusher.post("/ecrs/images/", body, content_type=content_type).status_code == 200
    assert pusher.items([item]).status_code == 200

    out = StringIO()
    call_command("prune_images", "--days", "30", stdout=out)

    assert "2 image(s) newly unreferenced" in out.getvalue() and "0 deleted" in out.getvalue()
    marked = ItemImage.objects.filter(unreferenced_since__isnull=False)
    assert set(marked.values_list("name", flat=True)) == {"orphan.jpg", "old-orphan.jpg"}

    # Given: one orphan unreferenced for 31 days, the other for 29, and a referenced image
    # with an old mark (it was named again since).
    long_ago = timezone.now() - timedelta(days=31)
    ItemImage.objects.filter(name="old-orphan.jpg").update(unreferenced_since=long_ago)
    ItemImage.objects.filter(name="orphan.jpg").update(unreferenced_since=timezone.now() - timedelta(days=29))
    ItemImage.objects.filter(name=item["image"]).update(unreferenced_since=long_ago)
    old_file = ItemImage.objects.get(name="old-orphan.jpg").file.name
    assert default_storage.exists(old_file)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_images", "--days", "30", stdout=out)

    assert "1 referenced again, 1 deleted" in out.getvalue()
    assert set(ItemImage.objects.values_list("name", flat=True)) == {item["image"], item["heathAttrImg1"], "orphan.jpg"}
    assert not default_storage.exists(old_file)
    assert ItemImage.objects.get(name=item["image"]).unreferenced_since is None

    # The orphan is named by an item again: it is no longer a candidate.
    item["heathAttrImg2"] = "orphan.jpg"
    pusher.items([item])
    call_command("prune_images", stdout=StringIO())
    assert ItemImage.objects.get(name="orphan.jpg").unreferenced_since is None


@pytest.mark.django_db
def test_prune_images_keeps_files_other_images_share(pusher, django_capture_on_commit_callbacks):
    data = demo.demo_image_bytes("shared.jpg")
    body, content_type = demo.multipart_body([("kept.jpg", data), ("gone.jpg", data)])
    pusher.post("/ecrs/images/", body, content_type=content_type)
    pusher.items([{**demo.generate_items(1)[0], "image": "kept.jpg"}])
    call_command("prune_images", stdout=StringIO())
    ItemImage.objects.filter(name="gone.jpg").update(unreferenced_since=timezone.now() - timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_images", "--days", "1", stdout=StringIO())

    kept = ItemImage.objects.get()
    assert kept.name == "kept.jpg" and default_storage.exists(kept.file.name)


def test_prune_images_refuses_negative_days():
    with pytest.raises(CommandError, match="--days"):
        call_command("prune_images", "--days", "-1")
