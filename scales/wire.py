"""The documented fields of CATAPULT's Price Computing Scale push (ECRS document 001,
revision 5.8.180), as the hub stores them. The model columns are generated from these
schemas, so the parser and the database cannot drift apart."""

from ecrs_hub.coercion import Schema, boolean, integer, number, text
from ecrs_hub.coercion import money as _money


def money(name, attr):
    # decimal(16,4) in the document.
    return _money(name, attr, max_digits=16)


DESC_LINES = tuple(text(f"descLine{n}", f"desc_line{n}", 64) for n in range(1, 5))

# Fields a store entry and the item share; the store's value wins when it has one.
SHARED = (
    *DESC_LINES,
    integer("byCountQty", "by_count_qty"),
    integer("fixedWeight", "fixed_weight"),
    integer("shelfLife", "shelf_life"),
    boolean("shelfLifeByHours", "shelf_life_by_hours"),
    integer("useBy", "use_by"),
    text("ingredients", "ingredients", 6000),
    boolean("active", "active"),
)

# Item-level fields. ``itemId`` is the identity; ``stores`` and ``nutrition`` are parsed apart.
SCALE_ITEM = Schema(
    text("itemId", "item_id", 16, required=True),
    boolean("deleted", "deleted"),
    text("barcode", "barcode"),
    integer("deptNum", "dept_num"),
    text("cool", "cool", 100),
    *SHARED,
    nested=("stores", "nutrition"),
)

# The item at one store (``stores[]``): identity (item, ``storeId``).
SCALE_ITEM_STORE = Schema(
    text("storeId", "scale_store_id", 64, required=True),
    boolean("deleted", "deleted"),
    money("unitPrice", "unit_price"),
    integer("divider", "divider"),
    text("unit", "unit"),
    number("tare", "tare"),
    boolean("forceTare", "force_tare"),
    money("customerPrice", "customer_price"),
    integer("customerDivider", "customer_divider"),
    money("promoPrice", "promo_price"),
    # "2025-07-21 14:30:00" in the store's local time, no zone: kept as sent.
    text("promoEnd", "promo_end", 64),
    boolean("promptPrice", "prompt_price"),
    *SHARED,
    nested=("nutrition",),
)

# One nutrition panel and its values; stored as JSON on the item or the item at a store.
NUTRITION_PANEL = Schema(
    text("servingSize", "servingSize", 64),
    text("servingsPerContainer", "servingsPerContainer", 64),
    nested=("values",),
)
NUTRIENT = Schema(
    text("type", "type", 64, required=True),
    number("value", "value"),
)

NUTRIENT_TYPES = frozenset(
    (
        "VITAMIN_A",
        "VITAMIN_C",
        "THIAMIN",
        "RIBOFLAVIN",
        "NIACIN",
        "CALCIUM",
        "IRON",
        "VITAMIN_D",
        "VITAMIN_E",
        "VITAMIN_B6",
        "FOLIC_ACID",
        "VITAMIN_B12",
        "PHOSPHORUS",
        "IODINE",
        "MAGNESIUM",
        "ZINC",
        "COPPER",
        "BIOTIN",
        "PANTOTHENIC_ACID",
        "BETA_CAROTENE",
        "CHLORIDE",
        "CHROMIUM",
        "MANGANESE",
        "MOLYBDENUM",
        "SELENIUM",
        "VITAMIN_K",
        "CALORIES",
        "CALORIES_FROM_FAT",
        "TOTAL_FAT",
        "SATURATED_FAT",
        "CHOLESTEROL",
        "TOTAL_CARBOHYDRATES",
        "DIETARY_FIBER",
        "SODIUM",
        "SUGARS",
        "PROTEIN",
        "POTASSIUM",
        "TRANS_FATTY_ACID",
        "CALS_FROM_SAT_FAT",
        "OTHER_CARBS",
        "MONSAT_FAT",
        "POLYSAT_FAT",
        "INSOLUBLE_FIBER",
        "SOLUBLE_FIBER",
        "SUGAR_ALCOHOL",
        "SAT_FAT_TRANS_FAT",
        "CALS_FROM_SAT_TRANS",
        "ENERGY",
        "OMEGA_6_POLY",
        "OMEGA_3_POLY",
        "STARCH",
        "ADDED_SUGAR",
    )
)

SHARED_ATTRS = tuple(wire.attr for wire in SHARED)
DESC_LINE_ATTRS = tuple(wire.attr for wire in DESC_LINES)
