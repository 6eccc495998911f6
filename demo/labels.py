"""A day of price changes for the label side. On the first run the catalogue is first pushed
as it stood yesterday (a tenth of the items at other prices), the tags of that first load
count as hung, then today's catalogue is pushed: today's label batch of each store holds
exactly the items whose price changed, and `make run` shows it with its tags PDF. Later runs
push today's catalogue only, which changes nothing."""

from __future__ import annotations

import copy
import random

from . import catalog


def catalogue_yesterday(items: list[dict], fraction: float = 0.1, seed: int = 15) -> list[dict]:
    """``items`` as they were the day before: ``fraction`` of them at another level-1 price
    at every store."""
    rnd = random.Random(seed)
    before = copy.deepcopy(items)
    for item in rnd.sample(before, k=round(len(before) * fraction)):
        for entry in item["stores"]:
            price = float(entry["price1"])
            entry["price1"] = catalog._money(round(price - 0.5 if price > 1.5 else price + 0.5, 2))
    return before
