"""Deterministic data for the fake Cognition server (``cognition.testing.fake_server``).

Transaction ``n`` is ingested at ``origin + n * interval`` (exactly on the grid, so rows sit
on window boundaries); its lines are drawn from ``Random(seed, n)``. Every 7th transaction
carries a third-party vendor coupon line (type 31, entry method 3); every 50th is an all
void; every 40th is suspended (status 3). ``add_transaction`` adds hand-made rows. Ids are
64-bit: ``pk | cpk << 32``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cognition import wire

LOCAL = ZoneInfo("America/New_York")
CPK = 1000  # the high 32 bits of every generated id: ids are 64-bit (pk | cpk << 32)


def big(pk: int) -> int:
    return (CPK << 32) | pk


TRANSACTION_FIELDS = sorted(wire.TRANSACTION_KEYS)
LINE_FIELDS = sorted(wire.LINE_KEYS)
EXTRA_FIELDS = ["SalespersonFK", "PromptName"]
ALL_FIELDS = TRANSACTION_FIELDS + LINE_FIELDS + EXTRA_FIELDS


@dataclass
class FakeData:
    seed: int = 7
    origin: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    interval: timedelta = timedelta(minutes=5)
    lines: tuple[int, int] = (3, 8)
    stores: tuple[int, ...] = (1, 2, 3)
    customers: tuple[int, ...] = tuple(big(500 + n) for n in range(1, 11))
    items: tuple[int, ...] = tuple(big(100 + n) for n in range(1, 21))
    coupons: tuple[int, ...] = tuple(big(900 + n) for n in range(1, 6))
    # customer id → coupon ids, in rank order (overrides the generated ranking)
    coupon_recommendations: dict[int, list[int]] = field(default_factory=dict)
    added: list[dict[str, Any]] = field(default_factory=list)

    def _micros(self, delta: timedelta) -> int:
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds

    def indices_between(self, start: datetime, end: datetime) -> range:
        """Transactions ingested strictly after ``start`` and strictly before ``end``."""
        step = self._micros(self.interval)
        low = self._micros(start - self.origin)
        high = self._micros(end - self.origin)
        first = max(0, low // step + 1)
        last = -((-high) // step) - 1  # the largest n with n * step < high
        return range(first, last + 1)

    def transaction_rows(self, n: int) -> list[dict[str, Any]]:
        rng = random.Random(self.seed * 1_000_003 + n)
        uploaded = self.origin + n * self.interval
        ended = (uploaded - timedelta(minutes=3)).astimezone(LOCAL).replace(tzinfo=None)
        store = self.stores[n % len(self.stores)]
        terminal = 1 + n % 4
        customer = self.customers[n % len(self.customers)] if n % 3 else None
        head = dict.fromkeys(ALL_FIELDS)
        head.update(
            TRN_PK=big(n + 1),
            TRN_STO_FK=big(store),
            StoreNumber=str(store),
            TRN_StartTime=(ended - timedelta(minutes=2)).isoformat(sep=" ", timespec="seconds"),
            TRN_EndTime=ended.isoformat(sep=" ", timespec="seconds"),
            TRN_UploadTime=(ended + timedelta(seconds=30)).isoformat(sep=" ", timespec="seconds"),
            CognitionUploadTime=uploaded.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds"),
            TRN_ReceiptNumber=n % 999_999 + 1,
            TRN_SequenceNumber=n + 1,
            TRN_Type=0,
            TRN_EMP_FK=big(70 + terminal),
            TRN_TCF_FK=big(terminal),
            TCF_Number=terminal,
            TCF_Description=f"Lane {terminal}",
            TCF_TerminalId=f"T{terminal:03d}",
            EMP_Number=70 + terminal,
            EMP_FirstName="Pat",
            EMP_LastName=f"Cashier{terminal}",
            TRN_CUS_FK=customer,
            CUS_AccountNumber=str(customer & 0xFFFFFFFF) if customer else None,
            TRN_AllVoid=1 if n % 50 == 49 else 0,
            TRN_Status=3 if n % 40 == 39 else 0,
        )
        rows = []
        total = 0
        count = rng.randint(*self.lines)
        items = max(1, count - 2)
        for index in range(count):
            row = dict(head)
            row["TLI_PK"] = big(n * 100 + index + 1)
            row["TLI_StartTime"] = row["TLI_EndTime"] = head["TRN_EndTime"]
            if index < items:
                item = self.items[rng.randrange(len(self.items))]
                quantity = rng.choice([1, 1, 1, 2, 3])
                price = rng.randrange(99, 1999)
                amount = quantity * price
                total += amount
                dept = 1 + item % 9
                row.update(
                    TLI_LIT_FK=wire.LINE_ITEM,
                    TLI_Amount=amount / 100,
                    TLI_Quantity=quantity,
                    TLI_ScanCode=f"{item % 10**11:011d}",
                    TLI_ReceiptAlias=f"ITEM {item & 0xFFFF}",
                    ITI_INV_FK=item,
                    ITI_EntryMethod=2,
                    ITI_Return=0,
                    ITI_Void=0,
                    ITI_SellingPrice=price / 100,
                    ITI_BasePrice=price / 100,
                    ExtendedBasePrice=amount / 100,
                    DPT_Number=dept,
                    DPT_Name=f"Dept {dept}",
                    SalespersonFK=big(70 + terminal),
                )
                if index == 1 and n % 7 == 3:
                    # A third-party digital coupon on the second item.
                    row = dict(row)
                    rows.append(row)
                    row = dict(head)
                    row["TLI_PK"] = big(n * 100 + 90)
                    coupon = self.coupons[n % len(self.coupons)]
                    row.update(
                        TLI_LIT_FK=wire.LINE_VENDOR_COUPON,
                        TLI_Amount=-0.5,
                        TLI_Quantity=1,
                        CTI_BonusAmount=0.5,
                        CTI_FaceValue=0.5,
                        CTI_EntryMethod=wire.COUPON_ENTRY_THIRD_PARTY,
                        CTI_Void=0,
                        CTI_ProviderId=str(coupon),
                        CTI_CouponBarcode=f"8110{coupon % 10**12:012d}",
                        CTI_Expiration=(ended.date() + timedelta(days=30)).isoformat(),
                    )
                    total -= 50
            elif index == items:
                row.update(TLI_LIT_FK=wire.LINE_TAX, TLI_Amount=round(total * 0.0007, 2), TTI_TAX_FK=big(1))
            else:
                row.update(
                    TLI_LIT_FK=wire.LINE_TENDER,
                    TLI_Amount=total / 100,
                    NTI_TEN_FK=big(1),
                    NTI_TenderType=1,
                    NTI_Amount=total / 100,
                    NTI_Void=0,
                    TEN_Description="Cash",
                )
            rows.append(row)
        for row in rows:
            row["TRN_Total"] = row["TRN_NetSales"] = total / 100
        return rows

    def add_transaction(self, *, uploaded: datetime, rows: list[dict[str, Any]]) -> None:
        """Hand-made rows (all of one transaction), ingested at ``uploaded``."""
        stamp = uploaded.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
        for row in rows:
            full = dict.fromkeys(ALL_FIELDS)
            full.update(row)
            full["CognitionUploadTime"] = stamp
            full.setdefault("TRN_Status", 0)
            full["TRN_Status"] = full["TRN_Status"] or 0
            full["TRN_AllVoid"] = full["TRN_AllVoid"] or 0
            self.added.append({"uploaded": uploaded, "row": full})

    def rows_between(self, start: datetime, end: datetime, *, status: int, all_void: int) -> Iterator[dict[str, Any]]:
        for n in self.indices_between(start, end):
            rows = self.transaction_rows(n)
            if rows[0]["TRN_Status"] == status and rows[0]["TRN_AllVoid"] == all_void:
                yield from rows
        for entry in self.added:
            row = entry["row"]
            if start < entry["uploaded"] < end and row["TRN_Status"] == status and row["TRN_AllVoid"] == all_void:
                yield row
