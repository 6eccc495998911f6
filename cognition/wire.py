"""The documented fields of Cognition's transaction history (ECRS document 004) that the hub
stores in typed columns. Each response row is one transaction line with its transaction's
fields repeated; the row is split into a transaction (``TRANSACTION``) and a line (``LINE``).
Documented fields the hub does not type, and any new ones, are kept per line in ``extra``.

Identifiers are 64-bit integers (pk and cpk combined); money is ``Decimal`` with four
places, quantities six. Date-times are parsed by ``parse_datetime_value``:
``CognitionUploadTime`` is UTC (the document says so); the POS times carry no offset and
are read in the hub's time zone (the stores' local time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Any

from ecrs_hub.coercion import CoercionError, Schema, WireField, bigint, integer, money, number, text


def flag(name, attr):
    # 0/1 integers in the document; kept as integers (CATAPULT adds values over time).
    return WireField(name, attr, "int")


TRANSACTION = Schema(
    bigint("TRN_PK", "trn_pk"),
    bigint("TRN_STO_FK", "store_id"),
    text("StoreNumber", "store_number", 10),
    integer("TRN_ReceiptNumber", "receipt_number"),
    integer("TRN_Type", "trn_type"),
    bigint("TRN_EMP_FK", "employee_id"),
    integer("TRN_SequenceNumber", "sequence_number"),
    bigint("TRN_TCF_FK", "terminal_id"),
    bigint("TRN_CUS_FK", "customer_id"),
    flag("TRN_AllVoid", "all_void"),
    integer("TRN_Status", "status"),
    text("TCF_Description", "terminal_description", 30),
    integer("TCF_Number", "terminal_number"),
    text("TCF_TerminalId", "terminal_code", 8),
    integer("EMP_Number", "employee_number"),
    text("EMP_FirstName", "employee_first_name", 30),
    text("EMP_LastName", "employee_last_name", 30),
    text("CUS_AccountNumber", "customer_account", 16),
    text("CUS_Company", "customer_company", 50),
    money("TRN_Total", "total"),
    money("TRN_NetSales", "net_sales"),
    number("TRN_ItemQuantity", "item_quantity"),
    number("TRN_ItemCorrects", "item_corrects"),
    number("TRN_Negatives", "negatives"),
)
TRANSACTION_TIMES = {
    "TRN_StartTime": ("start_time", False),
    "TRN_EndTime": ("end_time", False),
    "TRN_UploadTime": ("upload_time", False),
    "CognitionUploadTime": ("cognition_upload_time", True),
}

LINE = Schema(
    bigint("TLI_PK", "tli_pk"),
    integer("TLI_LIT_FK", "line_type"),
    money("TLI_Amount", "amount"),
    text("TLI_ReceiptAlias", "receipt_alias", 33),
    number("TLI_Quantity", "quantity"),
    text("TLI_ScanCode", "scan_code", 14),
    text("BaseItemID", "base_item_id", 14),
    money("ExtendedPrice", "extended_price"),
    money("ExtendedBasePrice", "extended_base_price"),
    # Inventory items (types 1 and 15)
    bigint("ITI_INV_FK", "item_id"),
    bigint("ITI_ASC_FK", "alternate_id"),
    number("ITI_ASCQuantity", "alternate_quantity"),
    integer("ITI_EntryMethod", "item_entry_method"),
    flag("ITI_Return", "item_return"),
    flag("ITI_Void", "item_void"),
    money("ITI_SellingPrice", "selling_price"),
    money("ITI_BasePrice", "base_price"),
    money("ITI_AverageCost", "average_cost"),
    integer("ITI_PriceLevel", "price_level"),
    text("DPT_Name", "department_name", 30),
    integer("DPT_Number", "department_number"),
    flag("DPT_OmitFromSales", "department_omit_from_sales"),
    # Discounts (type 4)
    bigint("DLI_DIS_FK", "discount_id"),
    flag("DLI_TypeDollar", "discount_type_dollar"),
    flag("DLI_TypePercent", "discount_type_percent"),
    flag("DLI_Void", "discount_void"),
    flag("DLI_Automatic", "discount_automatic"),
    bigint("DLI_INV_FK", "discount_item_id"),
    bigint("DLI_InventoryLineItem", "discount_line_item"),
    # Combos
    bigint("CTI_CMB_FK", "combo_id"),
    text("CMB_Name", "combo_name", 128),
    money("CTI_DiscountAmount", "combo_discount_amount"),
    # Taxes (type 3)
    bigint("TTI_TAX_FK", "tax_id"),
    money("TTI_TaxableAmount", "taxable_amount"),
    # Tenders (type 2)
    bigint("NTI_TEN_FK", "tender_id"),
    integer("NTI_TenderType", "tender_type"),
    money("NTI_Amount", "tender_amount"),
    flag("NTI_Void", "tender_void"),
    text("TEN_Description", "tender_description", 30),
    # Vendor coupons (type 31)
    money("CTI_BonusAmount", "coupon_amount"),
    money("CTI_FaceValue", "coupon_face_value"),
    integer("CTI_EntryMethod", "coupon_entry_method"),
    flag("CTI_Void", "coupon_void"),
    text("CTI_ManufacturerCode", "coupon_manufacturer_code", 5),
    text("CTI_FamilyCode", "coupon_family_code", 3),
    text("CTI_CouponCode", "coupon_code", 2),
    text("CTI_CouponBarcode", "coupon_barcode", 100),
    text("CTI_ProviderId", "coupon_provider_id", 32),
)
LINE_TIMES = {
    "TLI_StartTime": ("start_time", False),
    "TLI_EndTime": ("end_time", False),
}
LINE_DATES = {"CTI_Expiration": "coupon_expiration"}

# Line types and values the hub reads (document 004, TLI_LIT_FK and CTI_EntryMethod).
LINE_ITEM = 1
LINE_TENDER = 2
LINE_TAX = 3
LINE_DISCOUNT = 4
LINE_RETURN = 15
LINE_VENDOR_COUPON = 31
COUPON_ENTRY_THIRD_PARTY = 3

TRANSACTION_STATUSES = {
    0: "Finalized",
    1: "Training mode",
    3: "Suspended",
    6: "Web order paid",
    7: "Web order",
    10: "Order pick picking",
    11: "Order pick ready",
    12: "Picking in progress",
    13: "Fuel pay inside",
    14: "Web order editing",
    15: "Merged",
}

# Every key the typed columns read; the rest of a row goes to the line's ``extra``.
TRANSACTION_KEYS = TRANSACTION.names | frozenset(TRANSACTION_TIMES)
LINE_KEYS = LINE.names | frozenset(LINE_TIMES) | frozenset(LINE_DATES)


def parse_datetime_value(value: Any, *, utc: bool, local: tzinfo) -> datetime | None:
    """``2025-01-20 12:00:00``, ``2025-01-20T12:00:00.123``, with or without an offset or
    ``Z``. A value without an offset is UTC when ``utc`` (CognitionUploadTime), else local."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise CoercionError("must be a date-time text")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CoercionError("must be a date-time (yyyy-MM-dd HH:mm:ss)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC if utc else local)
    return parsed


def parse_date_value(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise CoercionError("must be a date text")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise CoercionError("must be a date (yyyy-MM-dd)") from None
