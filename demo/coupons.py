"""Demo coupons, customers, sites and a POS credential for seed_demo.

Everything goes through the operator services (``site_upsert``, ``pos_credential_upsert``,
``coupons_import``, ``customers_import``) and the POS clip service, as a real hub would be
set up, so running it again changes nothing. The coupons name the demo catalogue's own UPCs
and departments (``demo.catalog``, the items seed_demo pushes), so a POS update built from
demo items gets discounts: every reward kind, buy X get Y, minimum spend and quantity,
loyalty-point coupons, targeted ones, site-specific ones, a few with images, one ended and
one disabled."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from . import catalog as catalogue

DEMO_SITES = [("STO1", "27", "Urban Market Boone"), ("STO2", "28", "Urban Market Asheville")]
POS_USERNAME = "demo-pos"
POS_PASSWORD = "demo-pos-pass"
SAMPLE_CUSTOMER = "412345"  # the ECRS samples' customer: John Smith, (828) 265-2907
CUSTOMERS = 50
END = "2030-12-31"
FIRST_NAMES = ["Avery", "Jordan", "Riley", "Morgan", "Casey", "Taylor", "Jamie", "Quinn", "Rowan", "Emerson"]
LAST_NAMES = ["Greene", "Hollar", "Ward", "Teague", "Presnell", "Miller", "Townsend", "Shook", "Critcher", "Reese"]


def demo_items() -> list[dict]:
    """The base items seed_demo pushes (no alternates), generated the same way."""
    items = catalogue.generate_items(
        catalogue.DEMO_ITEMS, stores=catalogue.DEMO_STORES, alternates_every=catalogue.ALTERNATES_EVERY
    )
    return [item for item in items if "-" not in item["recordID"]]


def _product(item: dict) -> str:
    """The item's name without its size: "Urban Market Black Beans"."""
    size = item.get("size") or ""
    return item["itemName"].removesuffix(" " + size) if size else item["itemName"]


def _find(items: list[dict], product: str) -> dict:
    return next(item for item in items if product in item["itemName"])


def demo_coupons(items: list[dict]) -> tuple[list[dict], dict[str, str]]:
    """The coupon records (import schema) and the images they name (file name → label)."""
    coupons: list[dict] = []
    images: dict[str, str] = {}

    def add(coupon_id: str, *, image: str | None = None, **fields) -> None:
        record = {"id": coupon_id, "endDate": END, "enabled": True, **fields}
        if image:
            name = f"{coupon_id.lower()}.png"
            images[name] = image
            record["imageUrl"] = f"images/{name}"
        coupons.append(record)

    # One per department: the engine matches the lines' dept.
    for number, name, *_rest in catalogue.DEPARTMENTS:
        kind, value = ("percent", 10) if number % 2 else ("amount", "1.00")
        label = f"{value} % off" if kind == "percent" else "$1 off"
        add(
            f"D-DEPT{number}",
            shortDescription=f"{label} {name}",
            requirementDescription=f"Spend $10 or more in {name}.",
            category=name,
            requirementDepts=[number],
            minSpend="10.00",
            rewardKind=kind,
            rewardValue=value,
            limitUnits=5,
            image=name if number in (2, 4, 5) else None,
        )
    # One per item, every reward kind in turn.
    rewards = [("percent", 20, "20% off"), ("amount", "0.50", "50¢ off"), ("fixed_price", "0.99", "Only 99¢")]
    rewards.append(("free", None, "Buy 2, get 1 free"))
    for index, item in enumerate(items[10:22]):
        kind, value, label = rewards[index % len(rewards)]
        product = _product(item)
        record = {
            "shortDescription": f"{label}: {product}"[:255],
            "brand": item["brand"],
            "category": item["deptName"],
            "requirementUpcs": [int(item["itemId"])],
            "rewardKind": kind,
            "type": "Mfr Discount" if index % 3 == 0 else "Store Discount",
            "externalId": f"5111{index:07d}" if index % 3 == 0 else "",
            "receiptAlias": f"{label} {product}"[:40],
            "featured": index < 3,
        }
        if value is not None:
            record["rewardValue"] = value
        if kind == "free":
            record.update(minQuantity=2, limitUnits=1)
        add(f"D-ITEM{index + 1:02d}", image=product if index % 4 == 0 else None, **record)
    # Buy X get Y, site-specific.
    pasta, sauce = _find(items, "Penne Rigate"), _find(items, "Tomato Sauce")
    add(
        "D-PASTA-SAUCE",
        shortDescription="Buy penne, get tomato sauce free",
        requirementUpcs=[int(pasta["itemId"])],
        rewardUpcs=[int(sauce["itemId"])],
        rewardKind="free",
        limitUnits=1,
        sites=["STO1"],
        image="Pasta night",
    )
    bananas = _find(items, "Organic Bananas")
    add(
        "D-BANANAS",
        shortDescription="Organic bananas 25% off (Asheville)",
        requirementUpcs=[int(bananas["itemId"])],
        rewardKind="percent",
        rewardValue=25,
        sites=["STO2"],
    )
    # Loyalty points buy an optional coupon.
    for points, dept, value in ((100, 1, "2.00"), (250, 6, "5.00"), (500, 7, "10.00")):
        add(
            f"D-LOY{points}",
            shortDescription=f"${value} off {catalogue.DEPARTMENTS[dept - 1][1]} for {points} points",
            requirementDepts=[dept],
            minSpend=value,
            rewardKind="amount",
            rewardValue=value,
            limitUnits=1,
            loyaltyCost=points,
        )
    # Targeted at a few customers only.
    for number, dept in ((1, 2), (2, 8)):
        add(
            f"D-TGT{number}",
            shortDescription=f"Just for you: 15% off {catalogue.DEPARTMENTS[dept - 1][1]}",
            requirementDepts=[dept],
            rewardKind="percent",
            rewardValue=15,
            targeted=True,
            targetedCustomers=[customer_id(n) for n in range(number, CUSTOMERS, 5)],
        )
    # What staff meet in real life: an ended coupon and a disabled one.
    add("D-ENDED", shortDescription="Summer sale (ended)", requirementDepts=[9], rewardKind="percent",
        rewardValue=5, startDate="2026-06-01", endDate="2026-08-31")  # fmt: skip
    add("D-OFF", shortDescription="Paused by staff", requirementDepts=[3], rewardKind="amount", rewardValue="0.75",
        enabled=False)  # fmt: skip
    return coupons, images


def customer_id(n: int) -> str:
    return SAMPLE_CUSTOMER if n == 0 else f"41{n:05d}"


def demo_customers() -> list[dict]:
    rnd = random.Random(7)
    customers = []
    for n in range(CUSTOMERS):
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[(n * 3) % len(LAST_NAMES)]
        record = {
            "id": customer_id(n),
            "firstName": first,
            "lastName": last,
            "email": f"{first}.{last}{n}@example.com".lower(),
            "phones": [f"(828) 555-{1000 + n:04d}"],
            "emails": [],
            "loyalty": [{"id": f"7{n:013d}", "balance": rnd.randrange(0, 900, 10)}],
        }
        if n == 0:
            record.update(
                firstName="John",
                lastName="Smith",
                email="support@ecrs.com",
                phones=["8282652907"],
                loyalty=[{"id": "12345678901234", "balance": 400}],
            )
        elif n % 7 == 0:
            record["phones"].append(f"828-555-{2000 + n:04d}")
            record["emails"].append(f"{first}{n}@example.org".lower())
        customers.append(record)
    return customers


def seed_coupons(seed) -> None:
    """The seed_demo section: sites, a POS credential, coupons, customers, some clips."""
    from coupons.models import Clip, Customer, Site
    from coupons.services import clips_change
    from coupons.services.coupon_import import coupons_import
    from coupons.services.customer_import import customers_import
    from coupons.services.sites import pos_credential_upsert, site_upsert

    for site_id, number, _name in DEMO_SITES:
        site_upsert(site_id=site_id, store_number=number)
    sites = ", ".join(f"{site_id} = store {number}" for site_id, number, _name in DEMO_SITES)
    pos_credential_upsert(username=POS_USERNAME, password=POS_PASSWORD, site_ids=None)

    customers = customers_import(records=demo_customers())
    seed.stdout.write(
        f"Customers: {customers.created} created, {customers.updated} updated, {customers.unchanged} unchanged; "
        f"{customers.balances_changed} loyalty balances set."
    )
    records, images = demo_coupons(demo_items())
    with tempfile.TemporaryDirectory(prefix="ecrs-hub-demo-coupons-") as folder:
        for name, label in images.items():
            (Path(folder) / name).write_bytes(catalogue.demo_image_bytes(name, label=label, size=160))
        result = coupons_import(records=records, image_dir=Path(folder))
    seed.stdout.write(
        f"Coupons: {result.created} created, {result.updated} updated, {result.unchanged} unchanged "
        f"({len(images)} with images)."
    )

    # Some customers have clipped coupons already (clipping again changes nothing).
    site = Site.objects.get(site_id="STO1")
    ids = [
        record["id"]
        for record in records
        if record["enabled"] and record["endDate"] == END and not record.get("targeted")
        and record.get("sites", ["STO1"]) == ["STO1"]
    ]  # fmt: skip
    targeted = set(next(record for record in records if record["id"] == "D-TGT1")["targetedCustomers"])
    chosen = list(Customer.objects.filter(customer_id__in=[customer_id(n) for n in range(20)]))
    # Clips the demo made before (whatever their state now) are left alone: clipping again would
    # only be logged as refused.
    held = set(Clip.objects.filter(customer__in=chosen).values_list("customer_id", "coupon__coupon_id"))
    clipped = 0
    for n, customer in enumerate(chosen):
        wanted = [*ids[n % 5 :: 4][:6], "D-LOY100", *(["D-TGT1"] if customer.customer_id in targeted else [])]
        if customer.customer_id == SAMPLE_CUSTOMER:  # the card a demo POS tries first: one of each kind
            wanted = ["D-ITEM01", "D-ITEM02", "D-ITEM03", "D-ITEM04", "D-DEPT2", "D-PASTA-SAUCE", "D-LOY100"]
        wanted = [coupon_id for coupon_id in wanted if (customer.pk, coupon_id) not in held]
        if wanted:
            clipped += len(clips_change(customer=customer, site=site, add=wanted).added)
    seed.stdout.write(f"Clips: {clipped} coupons clipped for 20 customers.")
    demo_sales(seed, site, chosen[1:7])
    seed.summary.append(f"Coupon sites: {sites}. Demo customer card {SAMPLE_CUSTOMER} (John Smith).")
    seed.summary.append(
        f"WARNING: POS credential {POS_USERNAME} / {POS_PASSWORD} (every site) is a demo login for a local hub "
        "only; never deploy with it."
    )


def demo_sales(seed, site, customers) -> None:
    """A few sales rung up at STO1 through the POS services, so the admin shows transactions,
    redemptions and the pending redemptions view with something in them: each customer buys
    what their first UPC coupon asks for; the first four sales are committed, the last two
    stay pending as if the register were still open. Fixed transaction ids: a second run
    finds the sales committed or pending already and changes nothing."""
    from decimal import Decimal

    from coupons.engine import Line
    from coupons.models import Clip, PosTransaction
    from coupons.services import transaction_commit, transaction_update
    from ecrs_hub.gtin import upc_key

    done = set(
        PosTransaction.objects.filter(site=site, transaction_id__startswith="DEMO-SALE-").values_list(
            "transaction_id", flat=True
        )
    )
    rung = committed = 0
    for n, customer in enumerate(customers, start=1):
        transaction_id = f"DEMO-SALE-{n}"
        if transaction_id in done:
            continue
        clip = (
            Clip.objects.filter(customer=customer, state=Clip.State.CLIPPED)
            .exclude(coupon__requirement_upcs=[])
            .filter(coupon__loyalty_cost=0, coupon__min_spend__isnull=True)
            .select_related("coupon")
            .order_by("coupon__coupon_id")
            .first()
        )
        if clip is None:
            continue
        coupon = clip.coupon
        quantity = max(int(coupon.min_quantity), 1) + 1
        lines = [
            Line(id="1", upc=upc_key(coupon.requirement_upcs[0]), dept=None, quantity=Decimal(quantity),
                 amount=Decimal("3.49") * quantity),
            *[Line(id=str(k), upc=upc_key(upc), dept=None, quantity=Decimal(1), amount=Decimal("2.29"))
              for k, upc in enumerate(coupon.reward_upcs[:1], start=2)],
        ]  # fmt: skip
        transaction_update(
            site=site, transaction_id=transaction_id, customer_id=customer.customer_id, lines=lines, terminal=n,
            cashier=100 + n,
        )  # fmt: skip
        rung += 1
        if n <= 4:
            transaction_commit(
                site=site, transaction_id=transaction_id, customer_id=customer.customer_id, coupon_ids=[],
                tenders=[{"type": "CASH", "amount": 10.0}],
            )  # fmt: skip
            committed += 1
    seed.stdout.write(f"Demo sales at {site.site_id}: {rung} rung up, {committed} committed, the rest left pending.")
