"""Redemption reconciliation: the coupons the hub marked redeemed against the third-party
coupon lines in pulled transaction history.

Hub side: ``coupons.Redemption`` rows of committed POS transactions whose time (the
terminal's time, else the commit time) falls on a day of the range (hub time zone), one
entry per (transaction, coupon) with the discounts summed.

Cognition side: vendor coupon lines (``TLI_LIT_FK`` 31) entered by a third-party provider
(``CTI_EntryMethod`` 3), not voided (``CTI_Void`` ≠ 1), of transactions whose
``TRN_EndTime`` falls in the range.

They match when all of these agree:
- store: the site's store number = ``StoreNumber`` (leading zeros ignored);
- transaction: the POS transaction id = ``TRN_PK``, ``TRN_SequenceNumber`` or
  ``TRN_ReceiptNumber`` (the ECRS coupon API does not say which number the POS sends), and
  the terminal, when the hub knows it, = ``TCF_Number``;
- coupon: ``CTI_ProviderId`` or ``CTI_CouponBarcode`` = the coupon's ``external_id`` or
  ``coupon_id``.
Cognition lines are looked up one day either side of the range, so a sale near midnight
whose two clocks disagree on the day still matches; only lines inside the range are
reported as Cognition-only. A matched pair whose amounts differ is a match with a note.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from ..models import ReconciliationReport, TransactionLine
from ..selectors import cognition_coupon_lines, day_bounds, hub_redemption_entries

MATCHED, HUB_ONLY, COGNITION_ONLY = "matched", "hub_only", "cognition_only"


@dataclass
class ReportRow:
    status: str
    store: str
    day: str
    transaction: str  # the POS transaction id (hub) or TRN_PK (Cognition only)
    terminal: int | None
    coupon: str
    hub_discount: str | None
    cognition_amount: str | None
    cognition_transaction: int | None
    note: str = ""


def _store_key(number: str | None) -> str:
    text = (number or "").strip()
    return text.lstrip("0") or text if text.isdigit() else text


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01'))}"


def reconciliation_run(*, start: date, end: date, save: bool = True) -> ReconciliationReport:
    """Compare and (``save``) store the report. Rows: matches, hub-only, Cognition-only."""
    if end < start:
        raise ValueError("the end date must not be before the start date")
    local = timezone.get_current_timezone()
    lines = cognition_coupon_lines(start, end)
    index: dict[tuple[str, str], list[TransactionLine]] = defaultdict(list)
    for line in lines:
        trn = line.transaction
        for key in {trn.trn_pk, trn.sequence_number, trn.receipt_number} - {None}:
            index[(_store_key(trn.store_number), str(key))].append(line)
    used: set[int] = set()
    rows: list[ReportRow] = []
    for entry in hub_redemption_entries(start, end):
        store = _store_key(entry["transaction__site__store__number"])
        coupon_names = {entry["coupon__coupon_id"], entry["coupon__external_id"]} - {"", None}
        terminal = entry["transaction__terminal"]
        candidates = [
            line
            for line in index.get((store, entry["transaction__transaction_id"].strip()), [])
            if terminal is None or line.transaction.terminal_number in (None, terminal)
        ]
        match = next(
            (
                line
                for line in candidates
                if line.pk not in used and {line.coupon_provider_id, line.coupon_barcode} & coupon_names
            ),
            None,
        )
        hub_discount = entry["discount"]
        row = ReportRow(
            status=HUB_ONLY,
            store=store,
            day=entry["sold_at"].astimezone(local).date().isoformat(),
            transaction=entry["transaction__transaction_id"],
            terminal=terminal,
            coupon=entry["coupon__coupon_id"],
            hub_discount=_money(hub_discount),
            cognition_amount=None,
            cognition_transaction=None,
        )
        if match is None:
            if not store:
                row.note = f"site {entry['transaction__site__site_id']} has no store number"
            elif candidates:
                row.note = "transaction found in Cognition, but no third-party coupon line for this coupon"
            else:
                row.note = "transaction not found in Cognition"
        else:
            used.add(match.pk)
            row.status = MATCHED
            row.cognition_amount = _money(match.coupon_amount)
            row.cognition_transaction = match.transaction_id
            if match.coupon_amount is not None and abs(match.coupon_amount) != hub_discount:
                row.note = "amounts differ"
        rows.append(row)
    first, last = day_bounds(start, end)
    for line in lines:
        trn = line.transaction
        if line.pk in used or not (first <= trn.end_time < last):
            continue
        rows.append(
            ReportRow(
                status=COGNITION_ONLY,
                store=_store_key(trn.store_number),
                day=trn.end_time.astimezone(local).date().isoformat(),
                transaction=str(trn.sequence_number if trn.sequence_number is not None else trn.trn_pk),
                terminal=trn.terminal_number,
                coupon=line.coupon_provider_id or line.coupon_barcode or "",
                hub_discount=None,
                cognition_amount=_money(line.coupon_amount),
                cognition_transaction=trn.trn_pk,
                note="third-party coupon line with no hub redemption",
            )
        )
    counts = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    report = ReconciliationReport(
        start=start,
        end=end,
        matched=counts[MATCHED],
        hub_only=counts[HUB_ONLY],
        cognition_only=counts[COGNITION_ONLY],
        rows=[asdict(row) for row in rows],
    )
    if save:
        report.save(force_insert=True)
    return report


def report_lines(report: ReconciliationReport) -> list[str]:
    """The report as text lines (the command prints them)."""
    out = [
        f"Reconciliation {report.start} – {report.end}: {report.matched} matched, {report.hub_only} redeemed in "
        f"the hub only, {report.cognition_only} in Cognition only.",
    ]
    titles = {MATCHED: "Matched", HUB_ONLY: "Redeemed in the hub, missing in Cognition", COGNITION_ONLY: ""}
    titles[COGNITION_ONLY] = "Third-party coupon lines in Cognition, no hub redemption"
    for status in (HUB_ONLY, COGNITION_ONLY, MATCHED):
        rows = [row for row in report.rows if row["status"] == status]
        if not rows:
            continue
        out.append("")
        out.append(f"{titles[status]} ({len(rows)}):")
        out.append(
            f"  {'day':10} {'store':>6} {'terminal':>8} {'transaction':>20} {'coupon':>16} {'hub':>8} {'cog':>8}"
        )
        for row in rows:
            out.append(
                f"  {row['day']:10} {row['store']:>6} {row['terminal'] if row['terminal'] is not None else '':>8} "
                f"{row['transaction']:>20} {row['coupon']:>16} {row['hub_discount'] or '':>8} "
                f"{row['cognition_amount'] or '':>8}  {row['note']}".rstrip()
            )
    return out
