"""Shelf tags as a PDF (reportlab): letter sheets of tags of one built-in layout each, with
cut marks at every tag corner. A tag shows the item name, size, the price as the shopper
reads it, the unit price, the promotion price and dates while one runs, a UPC-A / EAN-13
barcode, the item id, the department and the print date."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .models import TagLayout
from .shelf import barcode_digits, promo_date


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    price_size: float  # points
    name_size: float


LAYOUTS = {
    TagLayout.SHELF: Layout(2.25 * inch, 1.25 * inch, 20, 7.5),
    TagLayout.PROMO: Layout(3.5 * inch, 2 * inch, 30, 10),
}
MARGIN = 0.25 * inch
CUT_MARK = 0.08 * inch
BAR_WIDTH = 0.0125 * inch  # one module: a UPC-A of 95 modules is 1.19 in wide


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width``."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _date_text(text: str | None) -> str:
    day = promo_date(text)
    return day.strftime("%m/%d/%y") if day else (text or "")


def _cut_marks(canvas: Canvas, x: float, y: float, layout: Layout) -> None:
    canvas.setLineWidth(0.3)
    for cx in (x, x + layout.width):
        for cy in (y, y + layout.height):
            canvas.line(cx - CUT_MARK, cy, cx + CUT_MARK, cy)
            canvas.line(cx, cy - CUT_MARK, cx, cy + CUT_MARK)


# EAN-13 symbology (ISO/IEC 15420); a UPC-A is the EAN-13 with a leading 0. reportlab's
# barcode widgets build a shape tree per code (13 ms a tag, most of a batch's time); the bars
# are drawn here as rectangles straight onto the canvas instead.
_L = ("0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011")
_G = ("0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001", "0001001", "0010111")
_R = ("1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100", "1001000", "1110100")
_PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")
QUIET = 9  # modules of white each side


def ean13_modules(digits13: str) -> str:
    """The 95 modules (1 = bar) of an EAN-13 whose 13 digits include the check digit."""
    first, left, right = int(digits13[0]), digits13[1:7], digits13[7:]
    parity = _PARITY[first]
    left_part = "".join((_L if side == "L" else _G)[int(d)] for side, d in zip(parity, left))
    return "101" + left_part + "01010" + "".join(_R[int(d)] for d in right) + "101"


def _bars(canvas: Canvas, modules: str, x: float, y: float, height: float, guard_extra: float) -> None:
    guards = set(range(3)) | set(range(45, 50)) | set(range(92, 95))
    index = 0
    while index < len(modules):
        if modules[index] != "1":
            index += 1
            continue
        end = index
        while end < len(modules) and modules[end] == "1":
            end += 1
        extra = guard_extra if index in guards else 0
        canvas.rect(x + index * BAR_WIDTH, y - extra, (end - index) * BAR_WIDTH, height + extra, stroke=0, fill=1)
        index = end


def _barcode(canvas: Canvas, record: dict, x: float, y: float, height: float) -> float:
    """Draw the item's UPC-A / EAN-13 with its quiet zone starting at (x, y) and the digits
    under it; its width, or 0 when the item id prints as neither."""
    code = barcode_digits(record.get("itemId"))
    if code is None:
        return 0
    kind, digits = code
    digits13 = "0" + digits if kind == "UPCA" else digits
    text_size = 5
    left = x + QUIET * BAR_WIDTH
    _bars(canvas, ean13_modules(digits13), left, y + text_size, height, 0)
    canvas.setFont("Helvetica", text_size)
    canvas.drawCentredString(left + 47.5 * BAR_WIDTH, y, digits)
    return (95 + 2 * QUIET) * BAR_WIDTH


def _tag(canvas: Canvas, record: dict, x: float, y: float, layout: Layout, printed: str) -> None:
    pad = 0.06 * inch
    left, top, width = x + pad, y + layout.height - pad, layout.width - 2 * pad
    scale = layout.height / (1.25 * inch)
    canvas.setFont("Helvetica-Bold", layout.name_size)
    canvas.drawString(
        left, top - layout.name_size, _fit(record.get("itemName") or "", "Helvetica-Bold", layout.name_size, width)
    )
    small = 5.5 * scale
    canvas.setFont("Helvetica", small)
    canvas.drawString(
        left, top - layout.name_size - small - 1, _fit(record.get("size") or "", "Helvetica", small, width / 2)
    )
    dept = record.get("deptName") or (f"Dept {record['deptNumber']}" if record.get("deptNumber") else "")
    canvas.drawRightString(
        x + layout.width - pad, top - layout.name_size - small - 1, _fit(dept, "Helvetica", small, width / 2)
    )

    promo = record.get("promoActive")
    price = record.get("promoPriceText") if promo else record.get("priceText")
    unit = record.get("promoUnitPriceText") if promo else record.get("unitPriceText")
    price_y = top - layout.name_size - small - layout.price_size - 2
    canvas.setFont("Helvetica-Bold", layout.price_size)
    canvas.drawRightString(x + layout.width - pad, price_y, price or "")
    canvas.setFont("Helvetica", small)
    if promo:
        canvas.drawString(left, price_y + layout.price_size * 0.55, "SALE")
        canvas.drawString(left, price_y + layout.price_size * 0.55 - small - 1, f"Reg {record.get('priceText') or ''}")
        dates = f"{_date_text(record.get('promoStart'))} – {_date_text(record.get('promoEnd'))}"
        canvas.drawRightString(x + layout.width - pad, price_y - small - 3, dates)
    if unit:
        canvas.drawString(left, price_y - small - 1, f"Unit price {unit}")

    bar_height = 0.3 * inch * scale
    _barcode(canvas, record, x + pad / 2, y + pad + small, bar_height)
    canvas.setFont("Helvetica", small * 0.9)
    canvas.drawString(left, y + pad, f"Item {record.get('itemId') or ''}")
    canvas.drawRightString(x + layout.width - pad, y + pad, f"Printed {printed}")


def tags_pdf(tags: Sequence, *, printed_on: dt.date, title: str = "Shelf tags") -> bytes:
    """The PDF of ``tags`` (:class:`labels.selectors.Tag`, in order), grouped by layout,
    each layout on its own letter sheets. No tags gives one empty sheet."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, pageCompression=1)
    canvas.setTitle(title)
    printed = printed_on.strftime("%m/%d/%y")
    page_width, page_height = letter
    drew = False
    for layout_name in LAYOUTS:
        group = [tag for tag in tags if tag.layout == layout_name]
        layout = LAYOUTS[layout_name]
        columns = int((page_width - 2 * MARGIN) // layout.width)
        rows = int((page_height - 2 * MARGIN) // layout.height)
        per_page = columns * rows
        for index, tag in enumerate(group):
            slot = index % per_page
            if slot == 0 and drew:
                canvas.showPage()
            drew = True
            column, row = slot % columns, slot // columns
            x = MARGIN + column * layout.width
            y = page_height - MARGIN - (row + 1) * layout.height
            _cut_marks(canvas, x, y, layout)
            _tag(canvas, tag.record, x, y, layout, printed)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
