"""The admin index is a dashboard: integrations' last good push and recent failures, counts,
pending redemptions and their age, pushes and redemptions per day; the app list stays below."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from config.templatetags.hub_dashboard import admin_link
from coupons.models import Clip, Coupon, Customer, PosTransaction, Redemption, Site
from ecrs_hub.models import Push
from ecrs_hub.services import integration_create

pytestmark = pytest.mark.django_db


def push(integration, status, *, ago: timedelta = timedelta(minutes=5)) -> Push:
    return Push.objects.create(
        integration=integration, endpoint="items", status=status, received_at=timezone.now() - ago
    )


@pytest.fixture
def activity(catalog):
    """Pushes of two integrations, coupons with two pending clips and a redemption."""
    items = integration_create(name="Back office items", kind="items").integration
    scales = integration_create(name="Back office scales", kind="scales").integration
    push(items, Push.Status.OK, ago=timedelta(hours=2))
    push(items, Push.Status.OK, ago=timedelta(minutes=3))
    push(items, Push.Status.REJECTED, ago=timedelta(minutes=1))
    push(items, Push.Status.FAILED, ago=timedelta(hours=30))  # outside the 24 h window
    push(scales, Push.Status.PARTIAL, ago=timedelta(minutes=1))

    site = Site.objects.create(site_id="STO1")
    coupons = [Coupon.objects.create(coupon_id=f"C{n}", reward_kind="amount", reward_value="1.00") for n in range(3)]
    ann = Customer.objects.create(customer_id="4001")
    sale = PosTransaction.objects.create(site=site, transaction_id="T1", customer=ann)
    for coupon, hours in ((coupons[0], 3), (coupons[1], 1)):
        Clip.objects.create(
            customer=ann,
            coupon=coupon,
            state="pending",
            pending_transaction=sale,
            pending_since=timezone.now() - timedelta(hours=hours, minutes=1),
        )
    done = PosTransaction.objects.create(site=site, transaction_id="T0", customer=ann, status="committed")
    clip = Clip.objects.create(customer=ann, coupon=coupons[2], state="redeemed", uses_count=1)
    for line in ("1", "2"):  # one coupon on two lines: one redemption
        Redemption.objects.create(
            clip=clip, coupon=coupons[2], customer=ann, transaction=done, line_id=line, discount=Decimal("0.50")
        )
    return items, scales


def dashboard_html(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('id="hub-dashboard"')
    return html[start : html.index('id="content-main"')]


def test_the_dashboard_shows_integrations_counts_pending_and_charts(admin_client, activity):
    response = admin_client.get("/admin/")
    board = dashboard_html(response)

    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", board, re.S)
    items_row = next(row for row in rows if "Back office items" in row)
    assert ">1</a>" in items_row  # one failure within 24 h, linked to the push log
    assert "minutes ago" in items_row  # the last OK push, three minutes ago
    scales_row = next(row for row in rows if "Back office scales" in row)
    assert "never" in scales_row and ">1</a>" in scales_row

    figures = dict(
        re.findall(r'hub-value">(?:<a [^>]*>)?(\d+)(?:</a>)?</span>\s*<span class="hub-label">([^<]+)<', board)
    )
    assert {label: int(value) for value, label in figures.items()} == {
        "Items": 6,
        "Scale items": 0,
        "Coupons": 3,
        "Customers": 1,
        "Pending redemptions": 2,
    }
    assert "oldest pending for 3\xa0hours" in board
    # The count links to the coupons admin's pending redemptions view (or, without it, to the clips).
    pending_url = admin_link("admin:coupons_clip_pending") or admin_link(
        "admin:coupons_clip_changelist", "state__exact=pending"
    )
    if pending_url:
        assert f'href="{pending_url}">2</a>' in board

    assert 'aria-label="Pushes per day"' in board
    assert "<strong>Pushes per day</strong> — 7 in all" in board  # the catalog's 2 and the 5 above
    assert re.search(r"<title>\w+ [\d-]+: \d+ / 2</title>", board)  # a day with 2 not OK (stacked bar)
    assert 'aria-label="Redemptions per day"' in board
    assert "<strong>Redemptions per day</strong> — 1 in all" in board  # one coupon on two lines
    # The stock app list is still there, below.
    assert 'id="content-main"' in response.content.decode()
    assert "app-items" in response.content.decode()


def test_the_dashboard_takes_a_few_queries_whatever_the_data(admin_client, activity, django_assert_max_num_queries):
    # session, user, the admin's app list and log (4), and 9 for the dashboard sections.
    with django_assert_max_num_queries(13):
        admin_client.get("/admin/")


def test_the_dashboard_copes_with_an_empty_hub(admin_client):
    board = dashboard_html(admin_client.get("/admin/"))
    assert "No integration yet" in board
    assert "0 in all" in board


def test_staff_see_only_the_sections_they_may_view(client, make_user):
    client.force_login(make_user("cashier-lead", perms=("coupons.view_coupon",)))
    board = dashboard_html(client.get("/admin/"))
    assert "Integrations" not in board and "Pushes per day" not in board
    assert "Coupons" in board and "Items" not in board
