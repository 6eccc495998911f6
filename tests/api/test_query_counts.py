"""No N+1: every list endpoint takes the same number of queries for a few rows as for many."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coupons.models import Clip, Coupon, Customer, PosTransaction, Redemption
from coupons.services.coupon_import import coupons_import
from coupons.services.customer_import import customers_import
from coupons.services.sites import pos_credential_upsert, site_upsert
from ecrs_hub.models import Push

from .conftest import API_LISTS, item_record

pytestmark = pytest.mark.django_db

LISTS = API_LISTS


def add_rows(batch: int, *, pusher, scales, n: int) -> None:
    """``n`` more rows of every kind (with their related rows), named by ``batch``."""
    stores = (f"{batch}1", f"{batch}2")
    pusher.items([item_record(f"{batch}{k:03}", f"{batch}{k:03}", f"Item {k}", "B", 1, stores) for k in range(n)])
    site_ids = [f"S{batch}{k}" for k in range(2)]
    for site_id in site_ids:
        site_upsert(site_id=site_id, store_number=stores[0])
    pos_credential_upsert(username=f"pos{batch}", password="password-123", site_ids=site_ids)
    pos_credential_upsert(username=f"pos{batch}b", password="password-123", site_ids=site_ids[:1])
    coupons_import(
        records=[
            {"id": f"C{batch}{k}", "rewardKind": "free", "sites": site_ids, "targetedCustomers": [f"{batch}{k}"]}
            for k in range(n)
        ]
    )
    customers_import(
        records=[
            {"id": f"{batch}{k}", "phones": [f"828555{batch}{k:03}"], "loyalty": [{"id": f"L{batch}{k}", "balance": k}]}
            for k in range(n)
        ]
    )
    import copy

    from .conftest import SCALE_ITEM

    pages = []
    for k in range(n):
        body = copy.deepcopy(SCALE_ITEM)
        body.update(itemId=f"{batch}{k:03}")
        body["stores"] = [{**body["stores"][0], "storeId": store} for store in stores]
        pages.append(body)
    assert scales.post("/ecrs/scale-items/", pages).status_code == 200
    site = PosTransaction._meta.get_field("site").related_model.objects.get(site_id=site_ids[0])
    for k in range(n):
        customer = Customer.objects.get(customer_id=f"{batch}{k}")
        coupon = Coupon.objects.get(coupon_id=f"C{batch}{k}")
        sale = PosTransaction.objects.create(site=site, transaction_id=f"T{batch}{k}", customer=customer)
        clip = Clip.objects.create(
            customer=customer, coupon=coupon, state="pending", pending_transaction=sale, pending_since=timezone.now()
        )
        Redemption.objects.create(clip=clip, coupon=coupon, customer=customer, transaction=sale, discount="1.00")
    Push.objects.filter(received_at__gt=timezone.now() - timedelta(days=1)).update(status="partial")


def queries(api, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, {"page_size": 200})
    assert response.status_code == 200, (path, response.content[:300])
    return len(captured)


def test_every_list_takes_as_many_queries_for_many_rows_as_for_few(api, pusher, scale_catalog):
    add_rows(1, pusher=pusher, scales=scale_catalog, n=2)
    # The token's first use writes its last_used_at (then at most once a minute): not counted.
    assert api.get("/api/").status_code == 200
    few = {path: queries(api, path) for path in LISTS}
    add_rows(2, pusher=pusher, scales=scale_catalog, n=12)
    many = {path: queries(api, path) for path in LISTS}
    assert many == few
    assert max(few.values()) <= 7, few
