"""Demo scale items: deli and bakery items as CATAPULT's Price Computing Scale client pushes
them (ECRS document 001), for seed_demo and the benchmark.

:func:`generate_scale_items` is deterministic and needs no Django (the benchmark imports it
before setting anything up): every documented field, values typed as CATAPULT sends them
(numbers as strings, booleans as ``"true"``), a full nutrition panel per item and, per store,
prices and a few overrides. :func:`seed_scale_items` is the seed_demo section.
"""

from __future__ import annotations

import random
from datetime import date

from ecrs_hub.gtin import check_digit

# Per-serving nutrition of a kind of product: (serving size, servings, {type: amount}).
# fmt: off
NUTRITION = {
    "salad": ("1/2 cup (113g)", "4", {
        "CALORIES": 210, "TOTAL_FAT": 12.4, "SATURATED_FAT": 2.3, "TRANS_FATTY_ACID": 0, "CHOLESTEROL": 12,
        "SODIUM": 390, "TOTAL_CARBOHYDRATES": 22, "DIETARY_FIBER": 2.4, "SUGARS": 4.2, "ADDED_SUGAR": 2.1,
        "PROTEIN": 3.1, "VITAMIN_D": 0, "CALCIUM": 24, "IRON": 0.9, "POTASSIUM": 420,
    }),
    "meat": ("2 oz (56g)", "8", {
        "CALORIES": 62, "TOTAL_FAT": 1.2, "SATURATED_FAT": 0.4, "TRANS_FATTY_ACID": 0, "CHOLESTEROL": 26,
        "SODIUM": 520, "TOTAL_CARBOHYDRATES": 1.4, "DIETARY_FIBER": 0, "SUGARS": 1.1, "ADDED_SUGAR": 1,
        "PROTEIN": 11.2, "VITAMIN_D": 0.1, "CALCIUM": 6, "IRON": 0.5, "POTASSIUM": 150,
    }),
    "cheese": ("1 oz (28g)", "16", {
        "CALORIES": 112, "TOTAL_FAT": 9.2, "SATURATED_FAT": 5.6, "TRANS_FATTY_ACID": 0.3, "CHOLESTEROL": 28,
        "SODIUM": 182, "TOTAL_CARBOHYDRATES": 0.4, "DIETARY_FIBER": 0, "SUGARS": 0.1, "ADDED_SUGAR": 0,
        "PROTEIN": 6.9, "VITAMIN_D": 0.2, "CALCIUM": 201, "IRON": 0.1, "POTASSIUM": 27, "VITAMIN_A": 74,
    }),
    "hot": ("1 cup (140g)", "3", {
        "CALORIES": 287, "TOTAL_FAT": 14.6, "SATURATED_FAT": 4.1, "TRANS_FATTY_ACID": 0.1, "CHOLESTEROL": 86,
        "SODIUM": 612, "TOTAL_CARBOHYDRATES": 14.8, "DIETARY_FIBER": 1.2, "SUGARS": 2.6, "ADDED_SUGAR": 0.8,
        "PROTEIN": 22.4, "VITAMIN_D": 0.3, "CALCIUM": 31, "IRON": 1.8, "POTASSIUM": 330,
    }),
    "soup": ("1 cup (245g)", "2", {
        "CALORIES": 148, "TOTAL_FAT": 4.6, "SATURATED_FAT": 1.7, "TRANS_FATTY_ACID": 0, "CHOLESTEROL": 17,
        "SODIUM": 780, "TOTAL_CARBOHYDRATES": 18.4, "DIETARY_FIBER": 3.1, "SUGARS": 3.6, "ADDED_SUGAR": 0,
        "PROTEIN": 8.6, "VITAMIN_D": 0, "CALCIUM": 42, "IRON": 1.4, "POTASSIUM": 448, "VITAMIN_A": 220,
        "VITAMIN_C": 6.2,
    }),
    "bread": ("1 slice (45g)", "15", {
        "CALORIES": 118, "TOTAL_FAT": 1.3, "SATURATED_FAT": 0.3, "TRANS_FATTY_ACID": 0, "CHOLESTEROL": 0,
        "SODIUM": 214, "TOTAL_CARBOHYDRATES": 22.6, "DIETARY_FIBER": 1.9, "SUGARS": 1.8, "ADDED_SUGAR": 1.4,
        "PROTEIN": 4.2, "VITAMIN_D": 0, "CALCIUM": 26, "IRON": 1.5, "POTASSIUM": 61, "THIAMIN": 0.2, "NIACIN": 2.1,
        "FOLIC_ACID": 58,
    }),
    "pastry": ("1 pastry (85g)", "4", {
        "CALORIES": 356, "TOTAL_FAT": 18.2, "SATURATED_FAT": 10.4, "TRANS_FATTY_ACID": 0.4, "CHOLESTEROL": 64,
        "SODIUM": 286, "TOTAL_CARBOHYDRATES": 42.6, "DIETARY_FIBER": 1.1, "SUGARS": 19.4, "ADDED_SUGAR": 17.2,
        "PROTEIN": 5.2, "VITAMIN_D": 0.2, "CALCIUM": 38, "IRON": 1.6, "POTASSIUM": 88,
    }),
    "cookie": ("1 cookie (40g)", "6", {
        "CALORIES": 192, "TOTAL_FAT": 9.4, "SATURATED_FAT": 5.6, "TRANS_FATTY_ACID": 0.2, "CHOLESTEROL": 24,
        "SODIUM": 132, "TOTAL_CARBOHYDRATES": 25.4, "DIETARY_FIBER": 0.8, "SUGARS": 14.6, "ADDED_SUGAR": 13.8,
        "PROTEIN": 2.2, "VITAMIN_D": 0, "CALCIUM": 12, "IRON": 0.9, "POTASSIUM": 64,
    }),
}

# (descLine1, descLine2, dept, kind, price, how sold: ("lb", tare) | ("count", n) | ("fixed", oz),
#  shelf life (days, or "Nh" hours), use within days, country of origin, ingredients)
PRODUCTS = [
    ("Dill Potato Salad", "Made in store", 3, "salad", "4.99", ("lb", "0.02"), 5, 3, "Product of USA",
     "Red Potatoes, Mayonnaise (Soybean Oil, Eggs, Vinegar), Sour Cream, Dill, Salt, Black Pepper"),
    ("Classic Coleslaw", "Made in store", 3, "salad", "3.99", ("lb", "0.02"), 5, 3, "Product of USA",
     "Cabbage, Carrots, Mayonnaise, Sugar, Cider Vinegar, Celery Seed, Salt"),
    ("Chicken Salad", "Pecan & Grape", 3, "salad", "8.99", ("lb", "0.02"), 4, 2, "Product of USA",
     "Chicken Breast, Mayonnaise, Celery, Red Grapes, Pecans, Salt, Pepper"),
    ("Pasta Primavera Salad", "Made in store", 3, "salad", "5.99", ("lb", "0.02"), 5, 3, "Product of USA",
     "Rotini (Durum Wheat), Broccoli, Bell Peppers, Olive Oil, Parmesan, Red Wine Vinegar, Garlic, Basil"),
    ("Egg Salad", "", 3, "salad", "6.49", ("lb", "0.02"), 3, 2, "Product of USA",
     "Eggs, Mayonnaise, Celery, Mustard, Paprika, Salt"),
    ("Greek Quinoa Salad", "Vegetarian", 3, "salad", "7.99", ("lb", "0.02"), 4, 2, "Product of USA",
     "Quinoa, Cucumber, Tomatoes, Feta Cheese (Milk), Kalamata Olives, Red Onion, Olive Oil, Lemon Juice"),
    ("Smoked Turkey Breast", "Sliced to order", 3, "meat", "10.99", ("lb", "0.01"), 7, 5, "Product of USA",
     "Turkey Breast, Water, Salt, Sugar, Sodium Phosphate, Natural Smoke Flavor"),
    ("Honey Ham", "Sliced to order", 3, "meat", "8.49", ("lb", "0.01"), 7, 5, "Product of USA",
     "Pork, Water, Honey, Salt, Sugar, Sodium Phosphate, Sodium Erythorbate, Sodium Nitrite"),
    ("Roast Beef", "Top Round", 3, "meat", "12.99", ("lb", "0.01"), 7, 5, "Product of USA",
     "Beef, Water, Salt, Garlic, Black Pepper"),
    ("Genoa Salami", "", 3, "meat", "11.49", ("lb", "0.01"), 14, 7, "Product of Italy",
     "Pork, Salt, Dextrose, Spices, Garlic, Sodium Nitrite"),
    ("Prosciutto di Parma", "Aged 18 months", 3, "meat", "24.99", ("lb", "0.01"), 10, 5, "Product of Italy",
     "Pork Leg, Sea Salt"),
    ("Pastrami", "Black Pepper Crust", 3, "meat", "13.49", ("lb", "0.01"), 7, 5, "Product of USA",
     "Beef, Water, Salt, Spices, Sugar, Sodium Nitrite"),
    ("Sharp Cheddar", "Aged 12 months", 3, "cheese", "7.99", ("lb", "0.01"), 21, 10, "Product of USA",
     "Pasteurized Milk, Cheese Culture, Salt, Enzymes"),
    ("Swiss Cheese", "Sliced to order", 3, "cheese", "8.99", ("lb", "0.01"), 21, 10, "Product of USA",
     "Pasteurized Milk, Cheese Culture, Salt, Enzymes"),
    ("Provolone", "Mild", 3, "cheese", "7.49", ("lb", "0.01"), 21, 10, "Product of USA",
     "Pasteurized Milk, Cheese Culture, Salt, Enzymes"),
    ("Manchego", "Sheep's milk", 3, "cheese", "18.99", ("lb", "0.01"), 28, 14, "Product of Spain",
     "Pasteurized Sheep's Milk, Salt, Rennet, Lactic Ferments"),
    ("Pepper Jack", "", 3, "cheese", "7.99", ("lb", "0.01"), 21, 10, "Product of USA",
     "Pasteurized Milk, Jalapeno Peppers, Cheese Culture, Salt, Enzymes"),
    ("Rotisserie Chicken", "Hot & Ready", 3, "hot", "7.99", ("count", 1), "4h", 3, "Product of USA",
     "Whole Chicken, Water, Salt, Spices, Garlic, Paprika"),
    ("Fried Chicken Tenders", "Hot & Ready", 3, "hot", "9.99", ("lb", "0.04"), "4h", 2, "Product of USA",
     "Chicken Breast, Wheat Flour, Buttermilk, Salt, Spices, Canola Oil"),
    ("Macaroni & Cheese", "Baked", 3, "hot", "6.99", ("lb", "0.04"), 3, 2, "Product of USA",
     "Elbow Macaroni (Wheat), Cheddar Cheese, Milk, Butter, Salt, Paprika"),
    ("Meatloaf", "Homestyle", 3, "hot", "8.99", ("lb", "0.04"), 3, 2, "Product of USA",
     "Ground Beef, Bread Crumbs (Wheat), Eggs, Onions, Ketchup, Salt, Pepper"),
    ("Chicken Noodle Soup", "16 oz", 3, "soup", "5.49", ("fixed", 16), 4, 3, "Product of USA",
     "Chicken Broth, Chicken, Egg Noodles (Wheat, Eggs), Carrots, Celery, Onions, Salt, Parsley"),
    ("Tomato Basil Soup", "16 oz", 3, "soup", "4.99", ("fixed", 16), 4, 3, "Product of USA",
     "Tomatoes, Vegetable Broth, Cream (Milk), Onions, Basil, Garlic, Salt"),
    ("Broccoli Cheddar Soup", "16 oz", 3, "soup", "5.49", ("fixed", 16), 4, 3, "Product of USA",
     "Broccoli, Milk, Cheddar Cheese, Vegetable Broth, Butter, Wheat Flour, Onions, Salt"),
    ("Sourdough Loaf", "Baked fresh daily", 7, "bread", "5.99", ("fixed", 24), 3, 5, "Product of USA",
     "Unbleached Wheat Flour, Water, Sourdough Starter, Sea Salt"),
    ("Multigrain Loaf", "Baked fresh daily", 7, "bread", "5.49", ("fixed", 24), 3, 5, "Product of USA",
     "Whole Wheat Flour, Water, Oats, Flax Seed, Sunflower Seeds, Honey, Yeast, Salt"),
    ("French Baguette", "", 7, "bread", "2.99", ("count", 1), "12h", 1, "Product of USA",
     "Wheat Flour, Water, Yeast, Salt"),
    ("Ciabatta Rolls", "4 pack", 7, "bread", "3.99", ("count", 4), 2, 3, "Product of USA",
     "Wheat Flour, Water, Olive Oil, Yeast, Salt"),
    ("Cinnamon Raisin Bread", "", 7, "bread", "5.99", ("fixed", 20), 4, 5, "Product of USA",
     "Wheat Flour, Raisins, Water, Sugar, Cinnamon, Butter (Milk), Yeast, Salt"),
    ("Blueberry Muffins", "4 pack", 7, "pastry", "5.99", ("count", 4), 3, 2, "Product of USA",
     "Wheat Flour, Blueberries, Sugar, Eggs, Canola Oil, Milk, Baking Powder, Salt"),
    ("Butter Croissants", "4 pack", 7, "pastry", "6.49", ("count", 4), 2, 2, "Product of USA",
     "Wheat Flour, Butter (Milk), Water, Sugar, Yeast, Salt"),
    ("Apple Turnovers", "2 pack", 7, "pastry", "4.99", ("count", 2), 2, 2, "Product of USA",
     "Wheat Flour, Apples, Butter (Milk), Sugar, Cinnamon, Salt"),
    ("Cinnamon Rolls", "Iced, 6 pack", 7, "pastry", "6.99", ("count", 6), 3, 2, "Product of USA",
     "Wheat Flour, Sugar, Butter (Milk), Eggs, Cinnamon, Yeast, Cream Cheese, Salt"),
    ("Chocolate Chip Cookies", "6 pack", 7, "cookie", "4.99", ("count", 6), 5, 3, "Product of USA",
     "Wheat Flour, Chocolate Chips (Sugar, Cocoa Butter, Milk), Butter, Brown Sugar, Eggs, Vanilla, Salt"),
    ("Oatmeal Raisin Cookies", "6 pack", 7, "cookie", "4.99", ("count", 6), 5, 3, "Product of USA",
     "Rolled Oats, Wheat Flour, Raisins, Butter (Milk), Brown Sugar, Eggs, Cinnamon, Salt"),
    ("Snickerdoodles", "6 pack", 7, "cookie", "4.49", ("count", 6), 5, 3, "Product of USA",
     "Wheat Flour, Sugar, Butter (Milk), Eggs, Cinnamon, Cream of Tartar, Salt"),
    ("Brownies", "4 pack", 7, "cookie", "5.99", ("count", 4), 4, 3, "Product of USA",
     "Sugar, Chocolate, Butter (Milk), Eggs, Wheat Flour, Cocoa, Vanilla, Salt"),
    ("Carrot Cake Slice", "", 7, "pastry", "3.99", ("fixed", 6), 3, 2, "Product of USA",
     "Carrots, Wheat Flour, Sugar, Cream Cheese (Milk), Walnuts, Eggs, Canola Oil, Cinnamon"),
    ("Apple Pie", "9 inch", 7, "pastry", "12.99", ("fixed", 40), 3, 3, "Product of USA",
     "Apples, Wheat Flour, Butter (Milk), Sugar, Cinnamon, Nutmeg, Salt"),
    ("Key Lime Pie Slice", "", 7, "pastry", "4.49", ("fixed", 5), 2, 2, "Product of USA",
     "Sweetened Condensed Milk, Key Lime Juice, Graham Crackers (Wheat), Butter, Eggs"),
]
# fmt: on

DEMO_SCALE_STORES = [("27", "S27"), ("28", "S28"), ("29", "S29")]  # (store number, scale store id)
UNMAPPED_DEMO_STORE = "S31"  # a store CATAPULT names that staff have not mapped yet
SCALE_INTEGRATION = "Demo CATAPULT scales"
PAGE_SIZE = 100


gs1_check_digit = check_digit  # one GS1 check digit for the hub (ecrs_hub.gtin)


def type2_barcode(code: str) -> str:
    """CATAPULT's "13 Digit Type 2 with leading zero": 0 + 2 + item code + zero price + check."""
    body = f"2{code}00000"
    return "0" + body + gs1_check_digit(body)


def _panel(kind: str, rnd: random.Random, scale: float = 1.0) -> list[dict]:
    serving, servings, values = NUTRITION[kind]
    return [
        {
            "servingSize": serving,
            "servingsPerContainer": servings,
            "values": [
                {"type": name, "value": f"{amount * scale * rnd.uniform(0.9, 1.1):.2f}" if amount else "0"}
                for name, amount in values.items()
            ],
        }
    ]


def _money(value: float) -> str:
    return f"{value:.4f}"


def generate_scale_items(
    count: int = len(PRODUCTS), store_ids: list[str] | None = None, *, start: int = 0, seed: int = 7
) -> list[dict]:
    """``count`` scale items numbered from ``start`` (item code 20000 + n), each at every
    store of ``store_ids``: deterministic for (start, seed). Item n is ``PRODUCTS[n]`` (with a
    batch number once the list is used up); stores price it a little apart, some carry their
    own description, shelf life, promotion or nutrition, and one in 13 is deleted at one store."""
    store_ids = [sid for _number, sid in DEMO_SCALE_STORES] if store_ids is None else store_ids
    promo_end = f"{date.today().year + 1}-01-01 00:00:00"
    items = []
    for n in range(start, start + count):
        rnd = random.Random(seed * 1_000_003 + n)
        line1, line2, dept, kind, price, sold, shelf, use_by, cool, ingredients = PRODUCTS[n % len(PRODUCTS)]
        batch = n // len(PRODUCTS)
        if batch:
            line1 = f"{line1} #{batch + 1}"
        code = f"{20000 + n % 80000:05d}"
        how, amount = sold
        by_hours = isinstance(shelf, str)
        item = {
            "deleted": "false",
            "itemId": code,
            "barcode": type2_barcode(code),
            "stores": [],
            "nutrition": _panel(kind, rnd),
            "deptNum": dept,
            "descLine1": line1,
            "active": "true",
            "cool": cool,
            "descLine2": line2 or None,
            "descLine3": None,
            "descLine4": None,
            "byCountQty": str(amount) if how == "count" else None,
            "fixedWeight": str(amount) if how == "fixed" else None,
            "shelfLife": shelf[:-1] if by_hours else str(shelf),
            "shelfLifeByHours": "true" if by_hours else "false",
            "useBy": str(use_by),
            "ingredients": ingredients,
        }
        for index, store_id in enumerate(store_ids):
            store_price = float(price) + 0.30 * (index % 3 == 1)  # the city store charges more
            entry = {
                "deleted": "true" if n % 13 == 5 and index == len(store_ids) - 1 else "false",
                "storeId": store_id,
                "active": "true",
                "unitPrice": _money(store_price),
                "divider": "1",
                "unit": "lb" if how == "lb" else ("oz" if how == "fixed" else "ea"),
                "tare": amount if how == "lb" else "0",
                "forceTare": "true" if how == "lb" else "false",
                "descLine1": None,
                "descLine2": None,
                "descLine3": None,
                "descLine4": None,
                "byCountQty": None,
                "fixedWeight": None,
                "shelfLife": None,
                "shelfLifeByHours": None,
                "useBy": None,
                "ingredients": None,
                "customerPrice": _money(store_price * 0.9),
                "customerDivider": "1",
                "promoPrice": None,
                "promoEnd": None,
                "promptPrice": "false",
                "nutrition": None,
            }
            if index == 2 and n % 4 == 0:
                entry["descLine3"] = "Local favorite"
            if index == 0 and n % 5 == 0:
                entry["promoPrice"], entry["promoEnd"] = _money(store_price - 1), promo_end
            if index == 1 and how == "lb" and not by_hours:
                entry["shelfLife"], entry["shelfLifeByHours"] = str(max(int(shelf) - 1, 1)), "false"
            if index == 1 and n % 10 == 3:
                entry["nutrition"] = _panel(kind, rnd, scale=0.85)  # a lighter store recipe
            item["stores"].append(entry)
        items.append(item)
    return items


def seed_scale_items(seed) -> None:
    """The seed_demo section: map the demo stores' scale store ids, then push the deli and
    bakery items through the push machinery (plus one item at a store nobody mapped yet).
    Running it again changes nothing."""
    import orjson

    from ecrs_hub.models import Integration, Push
    from scales.models import ScaleDefaults, ScaleItemStore
    from scales.services.resolution import scale_defaults_save
    from scales.services.stores import scale_store_map

    for number, scale_store_id in DEMO_SCALE_STORES:
        scale_store_map(scale_store_id=scale_store_id, store_number=number)
    if not ScaleDefaults.objects.exists():
        scale_defaults_save(defaults=ScaleDefaults(pk=1, desc_line4="Thank you for shopping Urban Market"))
    integration = seed.integration(SCALE_INTEGRATION, Integration.Kind.SCALES)
    items = generate_scale_items()
    stray = generate_scale_items(1, [UNMAPPED_DEMO_STORE], start=len(PRODUCTS))
    for start in range(0, len(items), PAGE_SIZE):
        push = seed.push(integration, Push.Endpoint.SCALE_ITEMS, orjson.dumps(items[start : start + PAGE_SIZE]))
        seed.stdout.write(f"Scale items at {len(DEMO_SCALE_STORES)} stores: {push.message}")
    push = seed.push(integration, Push.Endpoint.SCALE_ITEMS, orjson.dumps(stray))
    seed.stdout.write(f"Scale item at unmapped store {UNMAPPED_DEMO_STORE}: {push.message}")

    example = (
        ScaleItemStore.objects.filter(scale_item__item_id=items[0]["itemId"], store__scale_store_id="S27")
        .values_list("pk", flat=True)
        .first()
    )
    if example:
        seed.summary.append(f"Label preview: {seed.base_url}/admin/scales/scaleitemstore/{example}/label/")
    seed.summary.append(
        f"Scale stores: {', '.join(sid for _n, sid in DEMO_SCALE_STORES)} mapped; {UNMAPPED_DEMO_STORE} unmapped "
        "(map it in the admin, Scale stores)."
    )
