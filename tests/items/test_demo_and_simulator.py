"""The demo catalogue, the CATAPULT simulator and image pruning, through the real endpoints."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from ecrs_hub.models import Integration, Push
from items import demo
from items.models import Item, ItemImage, ItemStore, ItemSupplier, PriceLabelType, Store


@pytest.mark.django_db
def test_generated_pages_carry_every_field_as_catapult_types_them(pusher):
    items = demo.generate_items(20, stores=3, alternates_every=10)

    response = pusher.items(items)

    assert response.status_code == 200, response.json()
    assert "warning" not in response.json()["message"]  # every field is a documented one
    assert Item.objects.count() == 20 and ItemStore.objects.count() == 60 and Store.objects.count() == 3
    first = items[0]
    at_store = ItemStore.objects.get(item__record_id=first["recordID"], store__record_id=first["stores"][0]["recordID"])
    assert at_store.price1 == Decimal(first["stores"][0]["price1"])  # sent as "x.xx00"
    assert at_store.force_shelf_life is (first["stores"][0]["forceShelfLife"] == "Yes")
    assert at_store.shelf_life == int(first["stores"][0]["shelfLife"])  # sent as a string
    assert Item.objects.filter(base_record_id__isnull=False).count() == 2


def test_mutating_changes_the_asked_fraction():
    items = demo.generate_items(100)
    changed = demo.mutate_items(items, 0.1)
    assert sum(a != b for a, b in zip(items, changed)) == 10


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
        "--header-mode",
        "query",
        stdout=out,
    )

    lines = out.getvalue().splitlines()
    assert sum(line.startswith("/ecrs/images/") for line in lines) == 2  # 10 + 2 files
    assert sum(line.startswith("/ecrs/items/") for line in lines) == 2  # 20 + 10 items
    assert Item.objects.count() == 30 and ItemImage.objects.count() == 12 and PriceLabelType.objects.count() == 3
    assert set(Push.objects.values_list("status", flat=True)) == {"ok"}
    assert set(Push.objects.values_list("remote_addr", flat=True)) == {"127.0.0.1"}


@pytest.mark.django_db(transaction=True)
def test_the_simulator_exits_non_zero_when_the_hub_refuses(live_server, items_key):
    with pytest.raises(CommandError, match="not answered 200"):
        call_command(
            "simulate_catapult", "--url", live_server.url, "--key", "wrong-key-" * 4, "--items", "1", stdout=StringIO()
        )


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_catalogue():
    call_command("seed_demo", stdout=StringIO())
    counts = (
        Item.objects.count(),
        ItemStore.objects.count(),
        ItemSupplier.objects.count(),
        ItemImage.objects.count(),
        PriceLabelType.objects.count(),
        Store.objects.count(),
        Integration.objects.count(),
    )
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert counts == (300, 900, 300, 240, 3, 3, 1)
    assert (
        Item.objects.count(),
        ItemStore.objects.count(),
        ItemSupplier.objects.count(),
        ItemImage.objects.count(),
        PriceLabelType.objects.count(),
        Store.objects.count(),
        Integration.objects.count(),
    ) == counts
    assert "300 unchanged" in out.getvalue() and "admin / admin" in out.getvalue()


@pytest.mark.django_db
def test_prune_images_marks_then_deletes_only_long_unreferenced_images(pusher, django_capture_on_commit_callbacks):
    item = demo.generate_items(1)[0]
    files = [(name, demo.demo_image_bytes(name)) for name in (item["image"], "orphan.jpg", "old-orphan.jpg")]
    body, content_type = demo.multipart_body(files)
    assert pusher.post("/ecrs/images/", body, content_type=content_type).status_code == 200
    pusher.items([item])
    call_command("prune_images", "--days", "30", stdout=StringIO())
    assert set(ItemImage.objects.filter(unreferenced_since__isnull=False).values_list("name", flat=True)) == {
        "orphan.jpg",
        "old-orphan.jpg",
    }
    ItemImage.objects.filter(name="old-orphan.jpg").update(unreferenced_since=timezone.now() - timedelta(days=31))
    old_file = ItemImage.objects.get(name="old-orphan.jpg").file.name
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_images", "--days", "30", stdout=out)

    assert "1 deleted" in out.getvalue()
    assert set(ItemImage.objects.values_list("name", flat=True)) == {item["image"], "orphan.jpg"}
    assert not default_storage.exists(old_file)

    # The orphan is named by an item again: it is no longer a candidate.
    item["heathAttrImg1"] = "orphan.jpg"
    pusher.items([item])
    call_command("prune_images", stdout=StringIO())
    assert ItemImage.objects.get(name="orphan.jpg").unreferenced_since is None
