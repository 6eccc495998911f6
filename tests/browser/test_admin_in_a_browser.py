"""The admin as staff see it in a browser: log in, read the dashboard, open an item and the
pending redemptions. A live server on loopback, Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from coupons.models import Clip, Coupon, Customer, PosTransaction, Site
from ecrs_hub.models import Push
from items.models import Item
from tests.api.conftest import CATALOG, item_record
from tests.conftest import Pusher

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__import__("tempfile").gettempdir()) / "ecrs-hub-browser"


@pytest.fixture
def manager(django_user_model):
    return django_user_model.objects.create_user(
        "manager", password="manager-pass-123", is_staff=True, is_superuser=True
    )


@pytest.fixture
def store_data(client, items_key):
    """What a day at the hub leaves: a catalog push, a failed push, a coupon pending at a register."""
    pusher = Pusher(client, items_key.key)
    assert pusher.items([item_record(*row) for row in CATALOG]).status_code == 200
    Push.objects.create(integration=items_key.integration, endpoint="items", status="failed")
    site = Site.objects.create(site_id="STO1", name="Boone")
    coupon = Coupon.objects.create(
        coupon_id="BANANA1", short_description="$1 off bananas", reward_kind="amount", reward_value="1.00"
    )
    ann = Customer.objects.create(customer_id="4001", first_name="Ann")
    sale = PosTransaction.objects.create(site=site, transaction_id="T-77", customer=ann, terminal=3)
    Clip.objects.create(
        customer=ann,
        coupon=coupon,
        state="pending",
        pending_transaction=sale,
        pending_since=timezone.now() - timedelta(hours=2, minutes=5),
    )


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "manager-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_the_dashboard_and_an_item_page(page, live_server, manager, store_data):
    log_in(page, live_server, manager)

    dashboard = page.locator("#hub-dashboard")
    assert dashboard.is_visible()
    row = page.locator("#hub-integrations tr", has_text="CATAPULT items")
    assert "ago" in row.inner_text()  # the last successful push
    assert row.locator("a.ecrs-bad").inner_text() == "1"  # the failure of the last 24 h
    figures = page.locator("#hub-figures").inner_text()
    assert re.search(r"6\s+Items", figures, re.I)  # labels are shown in capitals
    assert re.search(r"1\s+Pending redemptions", figures, re.I)
    assert "oldest pending for 2\xa0hours" in figures or "oldest pending for 2 hours" in figures
    assert page.locator('svg[aria-label="Pushes per day"] rect.hub-s0').count() >= 1
    assert page.locator('svg[aria-label="Redemptions per day"]').count() == 1
    # The app list is still below the dashboard.
    assert page.locator("#content-main .app-items").is_visible()
    shot(page, "dashboard")

    item = Item.objects.get(record_id="1001")
    page.goto(f"{live_server.url}{reverse('admin:items_item_change', args=[item.pk])}")
    assert "Organic Bananas" in page.locator("#content").inner_text()
    inline = page.locator(".inline-group", has_text="at stores").inner_text()
    assert "Store 27" in inline and "Store 28" in inline
    assert "3.49" in inline
    shot(page, "item")

    # The dashboard's failure count leads to the push log, filtered to that integration.
    page.goto(f"{live_server.url}/admin/")
    page.locator("#hub-integrations a.ecrs-bad").click()
    page.wait_for_url(re.compile(r"/admin/ecrs_hub/push/\?integration__id__exact=\d+"))
    assert "failed" in page.locator("#result_list").inner_text()


def test_the_pending_redemptions_view(page, live_server, manager, store_data):
    try:
        pending_url = reverse("admin:coupons_clip_pending")
    except NoReverseMatch:
        pytest.skip("the coupons admin has no pending redemptions view (admin:coupons_clip_pending) yet")
    log_in(page, live_server, manager)
    page.locator("#hub-pending a").click()  # the dashboard's count links to the view
    page.wait_for_url(re.compile(re.escape(pending_url)))
    text = page.locator("#content").inner_text()
    assert "BANANA1" in text and "4001" in text and "T-77" in text
    shot(page, "pending")


def test_the_api_docs_render_from_the_hubs_own_files(page, live_server):
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock-tag-section").first.wait_for()  # Swagger UI drew the operations
    text = page.locator("#swagger-ui").inner_text()
    assert "/api/items/" in text and "/ecrs/items/" in text and "/pos/transaction/update" in text
    assert hosts == {live_server.url.split("/")[2]}  # nothing from a CDN
    shot(page, "docs")
