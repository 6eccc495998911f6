"""Demo data for a newcomer's `make run`: a catalogue pushed exactly as CATAPULT pushes it.

Every section goes through the real push machinery in-process (each push is recorded raw
and ingested like one received over HTTP), so the admin shows pushes, items, images and
price label types as a live hub would. Running it again leaves the same data (the pushes
of the second run are logged, and report everything unchanged).

Sections are functions ``section(seed: DemoSeed)`` listed in ``SECTIONS``, run in order:
the catalogue here, the scale items (:mod:`demo.scales`) and the coupons, customers and
sales (:mod:`demo.coupons`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from django.contrib.auth import get_user_model
from django.core.management.base import OutputWrapper

from ecrs_hub.models import Integration, Push
from ecrs_hub.services import integration_create, push_ingest
from items.models import Item
from labels.models import LabelBatch
from labels.services import batch_mark_hung, label_batches_refresh

from . import catalog, coupons, scales
from . import labels as demo_labels

ITEMS_INTEGRATION = "Demo CATAPULT"
DEFAULT_URL = "http://127.0.0.1:8000"


@dataclass
class DemoSeed:
    """What the sections share: output, the integrations they push through, and the lines
    printed at the end."""

    stdout: OutputWrapper
    stderr: OutputWrapper
    base_url: str = DEFAULT_URL  # where the hub will be served, for the links printed
    integrations: dict[str, Integration] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)

    def integration(self, name: str, kind: str) -> Integration:
        """The named integration, created on the first run. Its key is shown only then: keys
        are stored hashed, so later runs cannot show it."""
        if name not in self.integrations:
            existing = Integration.objects.filter(name=name).first()
            if existing is not None:
                self.summary.append(f"Integration {name!r} ({kind}): key unchanged (rotate in the admin).")
                self.integrations[name] = existing
            else:
                issued = integration_create(name=name, kind=kind, notes="Created by seed_demo.")
                self.summary.append(f"Integration {name!r} ({kind}) created. Its key, shown only now: {issued.key}")
                self.integrations[name] = issued.integration
        return self.integrations[name]

    def push(self, integration: Integration, endpoint: str, body: bytes, content_type: str = "application/json"):
        """Record and ingest one push as if it had come over HTTP; complain if it was not
        stored whole."""
        push = push_ingest(integration=integration, endpoint=endpoint, body=body, content_type=content_type)
        if push.status != Push.Status.OK:
            self.stderr.write(f"{push}: {push.message}")
        return push


def catalogue(seed: DemoSeed) -> None:
    """Stores, items (with alternates and supplier units), most of their images, the health
    attribute icons and the price label types, in CATAPULT's order: images first."""
    integration = seed.integration(ITEMS_INTEGRATION, Integration.Kind.ITEMS)
    items = catalog.generate_items(
        catalog.DEMO_ITEMS, stores=catalog.DEMO_STORES, alternates_every=catalog.ALTERNATES_EVERY
    )

    # Every fifth item has no picture yet: the admin shows what a missing image looks like.
    labels = {item["image"]: item["itemName"] for index, item in enumerate(items) if index % 5 != 4}
    referenced = set(catalog.referenced_image_names(items))
    icons = [name for name in map(catalog.health_icon_name, catalog.HEALTH) if name in referenced]
    names = list(labels) + icons
    created = unchanged = 0
    for start in range(0, len(names), 10):
        files = [(name, catalog.demo_image_bytes(name, label=labels.get(name))) for name in names[start : start + 10]]
        body, content_type = catalog.multipart_body(files)
        push = seed.push(integration, Push.Endpoint.IMAGES, body, content_type)
        created, unchanged = created + push.created, unchanged + push.unchanged
    seed.stdout.write(
        f"Images: {len(names)} ({len(icons)} health attribute icons) in {-(-len(names) // 10)} pushes: "
        f"{created} created, {unchanged} unchanged."
    )

    push = seed.push(integration, Push.Endpoint.PRICE_LABEL_SETTINGS, orjson.dumps(catalog.price_label_settings()))
    seed.stdout.write(f"Price label types: {push.message}")
    if not Item.objects.exists():
        # The first run: yesterday's catalogue, its tags hung, then today's price changes.
        push = seed.push(integration, Push.Endpoint.ITEMS, orjson.dumps(demo_labels.catalogue_yesterday(items)))
        seed.stdout.write(f"Items at {catalog.DEMO_STORES} stores, as yesterday: {push.message}")
        label_batches_refresh()
        for batch in LabelBatch.objects.filter(status=LabelBatch.Status.OPEN):
            batch_mark_hung(batch=batch)
    push = seed.push(integration, Push.Endpoint.ITEMS, orjson.dumps(items))
    seed.stdout.write(f"Items at {catalog.DEMO_STORES} stores: {push.message}")
    label_batches_refresh()
    batch = LabelBatch.objects.filter(status=LabelBatch.Status.OPEN).order_by("store__number").first()
    if batch is not None:
        seed.summary.append(
            f"Today's price changes: {seed.base_url}/admin/labels/labelbatch/ (the tags of store "
            f"{batch.store.number}: {seed.base_url}/admin/labels/labelbatch/{batch.pk}/tags.pdf)"
        )


def admin_login(seed: DemoSeed) -> None:
    user_model = get_user_model()
    if not user_model.objects.filter(username="admin").exists():
        user_model.objects.create_superuser("admin", "admin@example.com", "admin")
        seed.stdout.write("Created the superuser admin / admin.")
    seed.summary.append("WARNING: admin / admin is a demo login for a local hub only; never deploy with it.")


def staff_groups(seed: DemoSeed) -> None:
    """The ready-made staff groups, and a non-superuser login in "Store staff"."""
    from django.contrib.auth.models import Group

    from ecrs_hub.services import STORE_STAFF, staff_groups_create

    for result in staff_groups_create():
        seed.stdout.write(f"Group {result.group.name!r}: {len(result.permissions)} permissions.")
    user_model = get_user_model()
    if not user_model.objects.filter(username="staff").exists():
        user_model.objects.create_user("staff", "staff@example.com", "staff", is_staff=True)
        seed.stdout.write(f"Created the staff user staff / staff in {STORE_STAFF!r}.")
    user_model.objects.get(username="staff").groups.add(Group.objects.get(name=STORE_STAFF))
    seed.summary.append(f"WARNING: staff / staff ({STORE_STAFF}) is a demo login for a local hub only.")


SECTIONS: list[Callable[[DemoSeed], None]] = [
    catalogue,
    scales.seed_scale_items,
    coupons.seed_coupons,
    admin_login,
    staff_groups,
]
