"""A day of price changes for the label side: a tenth of the catalogue gets a new price and
name (:func:`demo.catalog.mutate_items`), and a few items a promotion from tomorrow for a
week, so `make run` shows today's label batch (with its tags PDF) and tomorrow's."""

from __future__ import annotations

import datetime as dt

from . import catalog

PROMOTED = 5  # items put on a promotion from tomorrow


def price_change_day(items: list[dict], today: dt.date) -> list[dict]:
    changed = catalog.mutate_items(items, 0.1, seed=15)
    start, end = today + dt.timedelta(days=1), today + dt.timedelta(days=7)
    promoted = [item for item in changed if item["stores"] and not item["stores"][0].get("wrkName")][:PROMOTED]
    for item in promoted:
        entry = item["stores"][0]
        price = float(entry["price1"])
        entry.update(
            wrkName="Week of savings",
            promoStart=start.isoformat(),
            promoEnd=end.isoformat(),
            promoPrice1=f"{round(price * 0.75, 2):.2f}",
            promoDivider1=1,
        )
    return changed
