"""The documented fields of CATAPULT's Instant Item Detail pushes (ECRS document 003,
revision 5.8.180), as the hub stores them. The model columns are generated from these
schemas, so the parser and the database cannot drift apart."""

from ecrs_hub.coercion import Schema, WireField, boolean, integer, money, number, text


def _numbered(template_name: str, template_attr: str, kind: str, count: int, **options) -> tuple[WireField, ...]:
    return tuple(
        WireField(template_name.format(n), template_attr.format(n), kind, **options) for n in range(1, count + 1)
    )


# Item-level fields. ``recordID`` is the identity; ``itemId`` the UPC/PLU/SKU.
ITEM = Schema(
    text("recordID", "record_id", 64, required=True),
    text("itemId", "item_id", 16, required=True),
    text("receiptAlias", "receipt_alias", 32),
    text("itemName", "item_name", 254),
    text("size", "size", 20),
    number("sizeQty", "size_qty"),
    text("sizeUnit", "size_unit", 20),
    text("memo", "memo", 254),
    money("suggestedRetail", "suggested_retail"),
    text("coolText", "cool_text", 100),
    text("deptName", "dept_name", 30),
    integer("deptNumber", "dept_number"),
    text("subDeptName", "sub_dept_name", 30),
    integer("subDeptNumber", "sub_dept_number"),
    text("categoryName", "category_name", 30),
    integer("categoryNumber", "category_number"),
    text("subCategoryName", "sub_category_name", 30),
    integer("subCategoryNumber", "sub_category_number"),
    text("varietyName", "variety_name", 30),
    integer("varietyNumber", "variety_number"),
    text("brand", "brand", 30),
    *_numbered("powerField{}", "power_field{}", "text", 8, max_length=30),
    number("packageQty", "package_qty"),
    text("regionalDescriptor", "regional_descriptor", 30),
    text("productionMethod", "production_method", 30),
    text("localReceiptAlias", "local_receipt_alias", 32),
    *_numbered("healthAttr{}", "health_attr{}", "text", 6, max_length=2),
    *_numbered("marketingAttr{}", "marketing_attr{}", "text", 6, max_length=30),
    text("image", "image", 255),
    # "heath" (sic) is how CATAPULT spells these keys.
    *_numbered("heathAttrImg{}", "health_attr_img{}", "text", 6, max_length=255),
    nested=("stores", "ordering"),
)

IMAGE_ATTRS = ("image", *(f"health_attr_img{n}" for n in range(1, 7)))

# Store fields that arrive inside every ``stores[]`` entry and describe the store itself.
STORE = Schema(
    text("recordID", "record_id", 64, required=True),
    text("storeName", "name", 60),
    text("storeNumber", "number", 10),
    text("zone", "zone", 30),
    text("storeStreetAddress", "street_address", 50),
    text("storeCity", "city", 20),
    text("storeState", "state", 2),
    text("storePostalCode", "postal_code", 15),
)

# The item at one store: everything else in a ``stores[]`` entry.
ITEM_STORE = Schema(
    boolean("deleted", "deleted"),
    *_numbered("localPowerField{}", "local_power_field{}", "text", 8, max_length=30),
    boolean("local", "local"),
    boolean("dsd", "dsd"),
    boolean("discontinued", "discontinued"),
    text("location", "location", 30),
    text("sequenceNumber", "sequence_number", 30),
    text("weight", "weight", 30),
    number("fixedTare", "fixed_tare"),
    number("percentTare", "percent_tare"),
    integer("unitOfMeasure", "unit_of_measure"),
    integer("tareType", "tare_type"),
    text("ingredients", "ingredients"),
    integer("shelfLife", "shelf_life"),
    *_numbered("descLine{}", "desc_line{}", "text", 4, max_length=64),
    *_numbered("descSize{}", "desc_size{}", "int", 4),
    number("fixedWeightAmt", "fixed_weight_amt"),
    integer("byCountQty", "by_count_qty"),
    boolean("forceShelfLife", "force_shelf_life"),
    *_numbered("userAssigned{}", "user_assigned{}", "text", 4, max_length=30),
    *(integer(f"userAssigned{n}", f"user_assigned{n}") for n in (5, 6, 7)),
    text("wrkName", "wrk_name", 40),
    *_numbered("pclPromoName{}", "pcl_promo_name{}", "text", 4, max_length=30),
    text("promoStart", "promo_start", 64),
    text("promoEnd", "promo_end", 64),
    *(money(f"promoPrice{n}", f"promo_price{n}") for n in range(1, 5)),
    *_numbered("promoDivider{}", "promo_divider{}", "int", 4),
    *_numbered("promoDiscount{}", "promo_discount{}", "text", 4, max_length=30),
    *(money(f"price{n}", f"price{n}") for n in range(1, 5)),
    *_numbered("divider{}", "divider{}", "int", 4),
    *_numbered("discount{}", "discount{}", "text", 4, max_length=30),
    boolean("webCartEnabled", "web_cart_enabled"),
    number("weightedNetSalesGrade", "weighted_net_sales_grade"),
    number("weightedVelocityGrade", "weighted_velocity_grade"),
    number("weightedProfitGrade", "weighted_profit_grade"),
    number("weightedDeptGrade", "weighted_dept_grade"),
    number("weightedBasketGrade", "weighted_basket_grade"),
    number("percentNetSalesGrade", "percent_net_sales_grade"),
    number("percentVelocityGrade", "percent_velocity_grade"),
    number("percentProfitGrade", "percent_profit_grade"),
    number("percentDeptGrade", "percent_dept_grade"),
    number("percentBasketGrade", "percent_basket_grade"),
    # The document gives pclName4 no maximum, unlike 1-3: kept as long text.
    *_numbered("pclName{}", "pcl_name{}", "text", 3, max_length=30),
    text("pclName4", "pcl_name4"),
    *_numbered("pl{}SettingsID", "pl{}_settings_id", "bigint", 4),
    *_numbered("pl{}PromoSettingsID", "pl{}_promo_settings_id", "bigint", 4),
    nested=tuple(STORE.names),
)

PRICE_LABEL_ATTRS = tuple(f"pl{n}_settings_id" for n in range(1, 5)) + tuple(
    f"pl{n}_promo_settings_id" for n in range(1, 5)
)

# ``ordering[]``: the item's supplier units. ``supplierName`` describes the supplier.
ORDERING = Schema(
    text("recordID", "record_id", 64, required=True),
    text("supplierID", "supplier_id", 15, required=True),
    boolean("deleted", "deleted"),
    text("supplierCode", "supplier_code", 10),
    number("orderQty", "order_qty"),
    text("orderUnit", "order_unit", 30),
    nested=("supplierName",),
)
SUPPLIER_NAME = text("supplierName", "name", 25)

# Price label type settings (``/ecrs/price-label-settings/``).
PRICE_LABEL_TYPE = Schema(
    WireField("recordId", "record_id", "bigint", required=True),
    nested=("settings",),
)
SETTING = Schema(
    text("key", "key", 255, required=True),
    text("value", "value"),
)
