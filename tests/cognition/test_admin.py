"""The Cognition admin: read-only pages staff use, with filters and search, and a fixed
number of queries per list page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cognition.models import PullRun, Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def pulled(fake_cognition):
    with time_machine.travel(datetime(2026, 3, 10, 15, tzinfo=UTC), tick=False):
        call_command("cognition_pull_transactions", "--start", "2026-03-01", "--end", "2026-03-02")
    call_command("cognition_fetch_recommendations", "similar")
    call_command("cognition_fetch_forecasts", "--store", "1", "--start", "2026-03-01", "--end", "2026-03-03",
                 "--item", "5,6")  # fmt: skip
    call_command("cognition_reconcile", "--start", "2026-03-01", "--end", "2026-03-01")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cognition/transaction/",
        "/admin/cognition/transaction/?store_number=1&status__exact=0",
        "/admin/cognition/transaction/?q=abc",
        "/admin/cognition/pullrun/",
        "/admin/cognition/forecast/",
        "/admin/cognition/recommendation/",
        "/admin/cognition/recommendation/?kind=similar&targeted_at__isnull=True",
        "/admin/cognition/reconciliationreport/",
    ],
)
def test_list_pages_answer_with_few_queries(pulled, staff_client, url):
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(url)
    assert response.status_code == 200
    assert len(queries) <= 12, [q["sql"][:120] for q in queries]


def test_transaction_page_shows_its_lines_and_is_read_only(pulled, staff_client):
    trn = Transaction.objects.filter(lines__line_type=31).first()
    response = staff_client.get(f"/admin/cognition/transaction/{trn.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "31 Vendor coupon" in html and str(trn.lines.first().tli_pk) in html
    assert 'name="_save"' not in html
    assert staff_client.get("/admin/cognition/transaction/add/").status_code == 403
    listing = staff_client.get(f"/admin/cognition/transaction/?q={trn.pk}").content.decode()
    assert "1 result" in listing


def test_pull_run_page_shows_windows(pulled, staff_client):
    run = PullRun.objects.get()
    html = staff_client.get(f"/admin/cognition/pullrun/{run.pk}/change/").content.decode()
    window = run.windows.get()
    assert "Pull windows" in html
    cells = dict(re.findall(r'<td class="field-(\w+)">\s*<p>([^<]*)</p>', html))
    assert cells["status"] == "Done" and cells["lines"] == str(window.lines) and window.lines > 0
    listing = staff_client.get("/admin/cognition/pullrun/").content.decode()
    assert "1 / 1" in listing  # windows done


def test_non_staff_are_sent_to_login(client, db):
    response = client.get("/admin/cognition/transaction/")
    assert response.status_code == 302 and "/login/" in response["Location"]
