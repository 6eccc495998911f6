"""Realistic CATAPULT item pages for demos, the CATAPULT simulator and the benchmark.

Pages are deterministic for a seed and carry every documented field of the Instant Item
Detail client (every field of :mod:`items.wire`), with values typed the way CATAPULT sends
them: numbers often as strings (``"4.9900"``, ``"0.250"``), booleans as ``true``,
``"false"`` or ``"Yes"``. No Django needed, so scripts can import it before setting up.
"""

from __future__ import annotations

import copy
import io
import random
import secrets
from datetime import date, timedelta

from ecrs_hub.gtin import check_digit

# What seed_demo pushes: 300 items at 3 stores, every 25th an Alternate ID of the one before it.
DEMO_ITEMS = 300
DEMO_STORES = 3
ALTERNATES_EVERY = 25

# (number, name, sub-departments, products, brands). Produce is department 4, as in the
# ECRS sample.
DEPARTMENTS = [
    (
        1,
        "Grocery",
        ["Canned Goods", "Pasta & Grains", "Snacks", "Baking"],
        [
            "Black Beans",
            "Penne Rigate",
            "Tortilla Chips",
            "Rolled Oats",
            "Tomato Sauce",
            "Jasmine Rice",
            "Peanut Butter",
            "Maple Syrup",
            "Sea Salt Crackers",
            "Chickpeas",
        ],
        ["Blue Ridge Pantry", "Field Day", "Mountain Harvest", "Urban Market"],
    ),
    (
        2,
        "Dairy",
        ["Milk", "Cheese", "Yogurt", "Butter & Eggs"],
        [
            "Whole Milk",
            "Sharp Cheddar",
            "Greek Yogurt",
            "Salted Butter",
            "Large Brown Eggs",
            "Goat Cheese",
            "Oat Milk",
            "Cottage Cheese",
        ],
        ["Homestead Creamery", "Organic Valley", "Farm Fresh", "Appalachian Dairy"],
    ),
    (
        3,
        "Deli",
        ["Prepared Foods", "Sliced Meats", "Salads"],
        [
            "Dill Potato Salad",
            "Smoked Turkey Breast",
            "Chicken Salad",
            "Roast Beef",
            "Pimento Cheese",
            "Hummus",
            "Pasta Salad",
        ],
        ["Urban Market Deli", "Boar's Head", "Kitchen Made"],
    ),
    (
        4,
        "Produce",
        ["Fruits", "Vegetables", "Herbs"],
        [
            "Organic Bananas",
            "Honeycrisp Apples",
            "Red Potatoes",
            "Spinach",
            "Hass Avocados",
            "Sweet Onions",
            "Cilantro",
            "Blueberries",
            "Carrots",
            "Lemons",
        ],
        ["Local Farms", "Earthbound", "Grower Direct"],
    ),
    (
        5,
        "Bakery",
        ["Bread", "Pastry", "Cakes"],
        ["Sourdough Loaf", "Blueberry Muffins", "Cinnamon Rolls", "Baguette", "Carrot Cake", "Whole Wheat Bread"],
        ["Urban Market Bakery", "Stone Mill", "Mast General Bakehouse"],
    ),
    (
        6,
        "Meat & Seafood",
        ["Beef", "Poultry", "Seafood"],
        ["Ground Chuck", "Chicken Thighs", "Atlantic Salmon", "Pork Chops", "Ribeye Steak", "Shrimp"],
        ["Hickory Nut Gap", "Joyce Farms", "Wild Catch"],
    ),
    (
        7,
        "Frozen",
        ["Meals", "Vegetables", "Desserts"],
        ["Cheese Pizza", "Sweet Peas", "Vanilla Ice Cream", "Veggie Burgers", "Waffles"],
        ["Amy's", "Cascadian Farm", "Van's"],
    ),
    (
        8,
        "Wellness",
        ["Vitamins", "Body Care"],
        ["Vitamin D3", "Lavender Soap", "Magnesium", "Fish Oil", "Unscented Lotion"],
        ["Garden of Life", "Dr. Bronner's", "Nature's Way"],
    ),
    (
        9,
        "Bulk",
        ["Nuts & Seeds", "Grains", "Dried Fruit"],
        ["Raw Almonds", "Quinoa", "Dried Mango", "Sunflower Seeds", "Red Lentils", "Trail Mix"],
        ["Bulk Bins", "Frontier Co-op", "Equal Exchange"],
    ),
]
# Price look-up codes (IFPS) of the produce lines: loose produce rings up by PLU, and an
# organic item's PLU is the conventional one prefixed with 9 ("94011", as in the sample).
PRODUCE_PLUS = {
    "Organic Bananas": "94011",
    "Honeycrisp Apples": "3283",
    "Red Potatoes": "4073",
    "Spinach": "4090",
    "Hass Avocados": "4225",
    "Sweet Onions": "4166",
    "Cilantro": "4889",
    "Blueberries": "4240",
    "Carrots": "4562",
    "Lemons": "4053",
}
STORES = [
    # (recordID, number, name, street, city, state, postal code, zone)
    ("4294967297054", "27", "Urban Market Boone", "150 Market Hills Drive", "Boone", "NC", "28607", "Rural Zone"),
    ("4294967297055", "28", "Urban Market Asheville", "82 Patton Avenue", "Asheville", "NC", "28801", "City Zone"),
    (
        "4294967297056",
        "29",
        "Urban Market Blowing Rock",
        "1180 Main Street",
        "Blowing Rock",
        "NC",
        "28605",
        "Rural Zone",
    ),
    ("4294967297057", "30", "Urban Market Hickory", "2030 N Center St", "Hickory", "NC", "28601", "City Zone"),
]
TOWNS = [
    ("Morganton", "28655"),
    ("Lenoir", "28645"),
    ("Banner Elk", "28604"),
    ("Black Mountain", "28711"),
    ("Hendersonville", "28792"),
    ("Brevard", "28712"),
    ("Sylva", "28779"),
    ("Waynesville", "28786"),
]
SUPPLIERS = [("33", "ECRS Food Supply"), ("41", "UNFI East"), ("57", "Blue Ridge Produce"), ("62", "Carolina Dairy Co")]
HEALTH = ["O1", "GF", "NG", "DF", "K", "CF", "VG", "LS"]
MARKETING = ["Local", "Organic", "Fair Trade", "Non-GMO", "USDA Prime", "Staff Pick", "New Item"]
UNITS = [("OZ", 16), ("LB", 1), ("CT", 12), ("FL OZ", 64), ("EA", 1)]
BASE_RECORD_ID = 4_294_967_296_001
STORE_RECORD_ID = 4_294_967_297_054
PRICE_LABEL_TYPE_IDS = [4_294_697_302_026, 4_294_697_302_027, 4_294_697_302_030]


def upc_a(body11: int) -> str:
    """A 12-digit UPC-A with its check digit."""
    digits = f"{body11:011d}"
    return digits + check_digit(digits)


def item_id(n: int) -> str:
    """Item n's UPC, or its PLU for the first loose produce of each kind."""
    number, _dept, _subdepts, products, _brands = DEPARTMENTS[n % len(DEPARTMENTS)]
    cycle = n // len(DEPARTMENTS)
    if number == 4 and 0 <= cycle < len(products):
        return PRODUCE_PLUS[products[cycle]]
    # Number system 8, then manufacturer and item codes: distinct for every n.
    return upc_a(81_234_500_000 + n)


def image_name(n: int) -> str:
    """The product image of item n: 13 digits, as CATAPULT names images."""
    return f"{4_494_967_300_000 + n}.jpg"


def health_icon_name(symbol: str) -> str:
    """The icon of a health attribute: every item with the attribute names the same one."""
    return f"{4_494_967_290_000 + HEALTH.index(symbol)}.png"


def image_format(name: str) -> str:
    """The Pillow format an image name asks for."""
    return {"png": "PNG", "gif": "GIF"}.get(name.rsplit(".", 1)[-1].lower(), "JPEG")


def store_info(index: int) -> tuple[str, str, str, str, str, str, str, str]:
    """Store ``index``'s (recordID, number, name, street, city, state, postal code, zone):
    the same for the same index in every page, whatever the seed."""
    if index < len(STORES):
        return STORES[index]
    town, postal = TOWNS[(index - len(STORES)) % len(TOWNS)]
    name = f"Urban Market {town}" if index < len(STORES) + len(TOWNS) else f"Urban Market {town} {index}"
    return (
        str(STORE_RECORD_ID + index),
        str(27 + index),
        name,
        f"{100 + 7 * index} Main Street",
        town,
        "NC",
        postal,
        "Rural Zone" if index % 2 else "City Zone",
    )


def _money(value: float) -> str:
    return f"{value:.4f}"


def _bool(rnd: random.Random, truth: bool):
    # CATAPULT sends booleans in several spellings: the hub must read them all.
    return rnd.choice([truth, "true" if truth else "false", "Yes" if truth else "No"])


def generate_items(
    count: int,
    *,
    stores: int = 2,
    suppliers_per_item: int = 1,
    seed: int = 0,
    start: int = 0,
    image_names: bool = True,
    alternates_every: int = 0,
) -> list[dict]:
    """``count`` items as CATAPULT sends them, item n having recordID BASE + n for n from
    ``start``. Every item carries every documented field; each has ``stores`` store entries
    (store 0, 1, ...) and ``suppliers_per_item`` supplier units. With ``image_names`` the
    items name their product image and health attribute icons (else those fields are null).
    With ``alternates_every=k``, every k-th item is an Alternate ID (``<base>-<alt>``) of
    the item before it."""
    rnd = random.Random(seed * 1_000_003 + start)
    today = date(2026, 11, 1)
    items = []
    for n in range(start, start + count):
        number, dept, subdepts, products, brands = DEPARTMENTS[n % len(DEPARTMENTS)]
        product = products[(n // len(DEPARTMENTS)) % len(products)]
        subdept = subdepts[n % len(subdepts)]
        brand = rnd.choice(brands)
        unit, quantity = rnd.choice(UNITS)
        price = round(rnd.uniform(0.79, 24.99), 2)
        record_id = str(BASE_RECORD_ID + n)
        if alternates_every and n % alternates_every == alternates_every - 1:
            record_id = f"{BASE_RECORD_ID + n - 1}-{4_887_254_236_902 + n}"
        name = f"{brand} {product}"
        health = [HEALTH[(n + k) % len(HEALTH)] for k in range(6)]
        item = {
            "recordID": record_id,
            "itemId": item_id(n),
            "receiptAlias": name[:32],
            "itemName": f"{name} {quantity} {unit}",
            "size": f"{quantity} {unit}",
            "sizeQty": str(quantity),
            "sizeUnit": unit,
            "memo": f"{product} from {brand}, a customer favourite in {dept.lower()}.",
            "suggestedRetail": round(price * 1.1, 2),
            "coolText": rnd.choice(["USA", "Product of Mexico", "Canada", "Peru", "North Carolina"]),
            "deptName": dept,
            "deptNumber": str(number),
            "subDeptName": subdept,
            "subDeptNumber": str(number * 10 + n % len(subdepts)),
            "categoryName": f"{subdept} General"[:30],
            "categoryNumber": str(number * 100 + n % 7),
            "subCategoryName": f"{product} Varieties"[:30],
            "subCategoryNumber": str(number * 1000 + n % 11),
            "varietyName": f"Everyday {product}"[:30],
            "varietyNumber": str(n % 40),
            "brand": brand[:30],
            **{f"powerField{k}": f"PF{k} {dept}"[:30] for k in range(1, 9)},
            "packageQty": str(rnd.choice([1, 1, 1, 2, 6, 12])),
            "regionalDescriptor": rnd.choice(["Blue Ridge", "Napa Valley", "Piedmont", "Coastal Plain"]),
            "productionMethod": rnd.choice(["Hand Made in Boone NC", "Small Batch", "Farm Raised", "Wild Caught"]),
            "localReceiptAlias": f"{product} (fr)"[:32],
            **{f"healthAttr{k}": health[k - 1] for k in range(1, 7)},
            **{f"marketingAttr{k}": MARKETING[(n + k) % len(MARKETING)] for k in range(1, 7)},
            "image": image_name(n) if image_names else None,
            **{f"heathAttrImg{k}": health_icon_name(health[k - 1]) if image_names else None for k in range(1, 7)},
            "ordering": [_ordering(rnd, n, s) for s in range(suppliers_per_item)],
            "stores": [_store_entry(rnd, n, s, price, product, today) for s in range(stores)],
        }
        items.append(item)
    return items


def _ordering(rnd: random.Random, n: int, index: int) -> dict:
    supplier_id, supplier_name = SUPPLIERS[(n + index) % len(SUPPLIERS)]
    return {
        "recordID": str(4_294_967_298_000 + n * 10 + index),
        "supplierID": supplier_id,
        "supplierName": supplier_name,
        "deleted": "false",
        "supplierCode": str(11_000 + n * 10 + index)[:10],
        "orderQty": str(rnd.choice([6, 12, 24])),
        "orderUnit": rnd.choice(["Case", "Each", "Pack"]),
    }


def _store_entry(rnd: random.Random, n: int, index: int, price: float, product: str, today: date) -> dict:
    record_id, number, name, street, city, state, postal, zone = store_info(index)
    on_promo = n % 5 == 0
    promo = round(price * 0.8, 2)
    weighed = n % 3 == 0
    return {
        "recordID": record_id,
        "storeName": name,
        "storeNumber": number,
        "deleted": "false",
        **{f"localPowerField{k}": f"Local {k} {city}"[:30] for k in range(1, 9)},
        "local": _bool(rnd, n % 4 == 0),
        "dsd": _bool(rnd, n % 6 == 0),
        "discontinued": False,
        "location": f"Aisle {1 + n % 14}",
        "sequenceNumber": str(n % 200),
        "weight": "By Pound" if weighed else "Each",
        "fixedTare": "0.250" if weighed else "0.000",
        "percentTare": "5" if weighed else "0",
        "unitOfMeasure": 3 if weighed else 4,
        "tareType": 2 if weighed else 0,
        "zone": zone,
        "storeStreetAddress": street,
        "storeCity": city,
        "storeState": state,
        "storePostalCode": postal,
        "ingredients": f"{product}, water, sea salt, organic cane sugar, citric acid, natural flavors, "
        "rosemary extract (to preserve freshness).",
        "shelfLife": str(3 + n % 10),
        "descLine1": product[:64],
        "descLine2": f"Store {number} fresh",
        "descLine3": "Keep refrigerated" if n % 2 else "",
        "descLine4": "",
        **{f"descSize{k}": 0 for k in range(1, 5)},
        "fixedWeightAmt": "3",
        "byCountQty": "5",
        "forceShelfLife": rnd.choice(["Yes", "No"]),
        **{f"userAssigned{k}": f"UA{k}" for k in range(1, 5)},
        **{f"userAssigned{k}": n % 1000 for k in range(5, 8)},
        "wrkName": "November Savings" if on_promo else None,
        **{f"pclPromoName{k}": "Sale Tag" if on_promo else None for k in range(1, 5)},
        "promoStart": (today - timedelta(days=3)).isoformat() if on_promo else None,
        "promoEnd": (today + timedelta(days=11)).isoformat() if on_promo else None,
        **{f"promoPrice{k}": _money(promo) if on_promo else 0 for k in range(1, 5)},
        **{f"promoDivider{k}": 1 if on_promo else 0 for k in range(1, 5)},
        **{f"promoDiscount{k}": "Member Deal" if on_promo else None for k in range(1, 5)},
        "price1": _money(price),
        "price2": _money(round(price * 0.95, 2)),
        "price3": _money(round(price * 0.9, 2)),
        "price4": _money(round(price * 0.85, 2)),
        **{f"divider{k}": "1" for k in range(1, 5)},
        **{f"discount{k}": "Case Discount" if k == 4 else None for k in range(1, 5)},
        "webCartEnabled": True,
        "weightedNetSalesGrade": round(rnd.random() * 100, 2),
        "weightedVelocityGrade": round(rnd.random() * 100, 2),
        "weightedProfitGrade": round(rnd.random() * 100, 2),
        "weightedDeptGrade": round(rnd.random() * 100, 2),
        "weightedBasketGrade": round(rnd.random() * 100, 2),
        "percentNetSalesGrade": f"{rnd.random() * 100:.2f}",
        "percentVelocityGrade": f"{rnd.random() * 100:.2f}",
        "percentProfitGrade": f"{rnd.random() * 100:.2f}",
        "percentDeptGrade": f"{rnd.random() * 100:.2f}",
        "percentBasketGrade": f"{rnd.random() * 100:.2f}",
        **{f"pclName{k}": "Shelf Tag" for k in range(1, 5)},
        **{f"pl{k}SettingsID": PRICE_LABEL_TYPE_IDS[k % 2] for k in range(1, 5)},
        **{f"pl{k}PromoSettingsID": PRICE_LABEL_TYPE_IDS[2] if on_promo else None for k in range(1, 5)},
    }


def price_label_settings() -> list[dict]:
    """The settings of the price label types the generated items reference."""
    names = {
        PRICE_LABEL_TYPE_IDS[0]: "Shelf Tag",
        PRICE_LABEL_TYPE_IDS[1]: "Shelf Tag Large",
        PRICE_LABEL_TYPE_IDS[2]: "Sale Tag",
    }
    return [
        {
            "recordId": record_id,
            "settings": [
                {"key": "name", "value": name},
                {"key": "stock", "value": "2x1.25"},
                {"key": "color", "value": "red" if "Sale" in name else "white"},
            ],
        }
        for record_id, name in names.items()
    ]


def referenced_image_names(items: list[dict]) -> list[str]:
    """Every image name the items reference, in first-seen order: product images and
    health attribute icons."""
    fields = ("image", *(f"heathAttrImg{k}" for k in range(1, 7)))
    names: dict[str, None] = {}
    for item in items:
        for key in fields:
            if item.get(key):
                names.setdefault(item[key], None)
    return list(names)


def mutate_items(items: list[dict], fraction: float, seed: int = 1) -> list[dict]:
    """A copy with ``fraction`` of the items changed as a price change would change them:
    a new level-1 price at the first store and a reworded name. The others are untouched."""
    rnd = random.Random(seed)
    changed = copy.deepcopy(items)
    for item in rnd.sample(changed, k=round(len(changed) * fraction)):
        item["itemName"] = (item["itemName"] + " (new)")[:254]
        if item["stores"]:
            item["stores"][0]["price1"] = _money(float(item["stores"][0]["price1"]) + 0.5)
    return changed


def demo_image_bytes(name: str, fmt: str | None = None, size: int = 96, label: str | None = None) -> bytes:
    """A small real image: a coloured tile with a simple shape, distinct per name, and the
    initials of ``label`` (an item name) when given. ``fmt`` is JPEG, PNG or GIF (also
    jpg/png/gif); by default the one the name's extension asks for."""
    from PIL import Image, ImageDraw, ImageFont

    fmt = image_format(f".{fmt}") if fmt else image_format(name)
    rnd = random.Random(name)
    background = tuple(rnd.randint(150, 240) for _ in range(3))
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    colour = tuple(rnd.randint(20, 110) for _ in range(3))
    margin = size // 6
    box = (margin, margin, size - margin, size - margin)
    if rnd.random() < 0.5:
        draw.ellipse(box, fill=colour)
    else:
        draw.rounded_rectangle(box, radius=size // 8, fill=colour)
    initials = "".join(word[0] for word in (label or "").split() if word[:1].isalnum())[:2].upper()
    if initials:
        font = ImageFont.load_default(size=size // 3)
        draw.text((size / 2, size / 2), initials, fill=background, font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def multipart_body(files: list[tuple[str, bytes]], boundary: str | None = None) -> tuple[bytes, str]:
    """A multipart/form-data body with each file as a ``file`` part, as CATAPULT sends
    images. Returns the body and its content type."""
    boundary = boundary or f"ecrs-hub-{secrets.token_hex(12)}"
    if any(boundary.encode() in content for _name, content in files):
        raise ValueError("the multipart boundary occurs in a file: choose another")
    parts = []
    for name, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
