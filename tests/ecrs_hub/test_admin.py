"""The staff side of the push machinery (CONTRACT 2.1, 2.3): integrations and their keys,
the push log with replay, refused requests — through the admin pages a user clicks."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ecrs_hub.machine_secrets import hash_key
from ecrs_hub.models import Integration, Push, RefusedRequest
from ecrs_hub.services import integration_create
from tests.conftest import fixture_bytes, fixture_json

pytestmark = pytest.mark.django_db

SAMPLE = fixture_bytes("items-page.json")
INTEGRATIONS = "/admin/ecrs_hub/integration/"
PUSHES = "/admin/ecrs_hub/push/"
REFUSED = "/admin/ecrs_hub/refusedrequest/"


def issued_key(response) -> str:
    match = re.search(r'<code class="issued-key">([A-Za-z0-9_-]+)</code>', response.content.decode())
    assert match, "the page shows no key"
    return match.group(1)


def push_items(client, key: str, body=SAMPLE):
    return client.post("/ecrs/items/", body, content_type="application/json", HTTP_X_API_KEY=key)


def with_bad_record() -> bytes:
    """The sample item plus one whose department number is not a number and which carries
    a field CATAPULT may add in a later version."""
    good = fixture_json("items-page.json")[0]
    bad = dict(good, recordID="4294967296999", itemId="94999", deptNumber="produce", ordering=[], stores=[])
    good = dict(good, futureField="kept")
    return json.dumps([good, bad]).encode()


# --- who may see the admin ---------------------------------------------------------------


@pytest.mark.parametrize("path", [INTEGRATIONS, PUSHES, REFUSED, f"{INTEGRATIONS}add/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_user_who_is_not_staff_is_sent_to_the_login_page(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("cashier", password="cashier-pass-123"))
    response = client.get(PUSHES)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_admin_is_branded_ecrs_hub(staff_client):
    response = staff_client.get("/admin/")
    assert response.status_code == 200
    assert b"ECRS Hub" in response.content
    assert b"<title>Store back office | ECRS Hub</title>" in response.content


# --- integrations: the key is shown once -------------------------------------------------


def test_creating_an_integration_shows_its_key_once_and_the_key_then_pushes(staff_client):
    # Given staff fill in the add form
    add = staff_client.get(f"{INTEGRATIONS}add/")
    assert add.status_code == 200
    form_fields = set(re.findall(r'name="([a-z_]+)"', add.content.decode())) - {"csrfmiddlewaretoken"}
    assert form_fields >= {"name", "kind", "enabled", "notes"}
    assert not form_fields & {"key_hash", "key_prefix"}

    # When they save it
    response = staff_client.post(
        f"{INTEGRATIONS}add/", {"name": "Main street CATAPULT", "kind": "items", "enabled": "on", "notes": ""}
    )

    # Then the page shows the key, the two strings for CATAPULT Web Office and the URLs
    assert response.status_code == 200
    key = issued_key(response)
    page = html.unescape(response.content.decode())
    assert '{"X-Api-Key":"' + key + '"}' in page
    assert f"key={key}" in page
    for url in (
        "http://testserver/ecrs/items/",
        "http://testserver/ecrs/images/",
        "http://testserver/ecrs/price-label-settings/",
    ):
        assert url in page
    assert "no-store" in response["Cache-Control"]

    # and the database keeps only the key's hash
    integration = Integration.objects.get(name="Main street CATAPULT")
    assert integration.key_hash == hash_key(key)
    assert integration.key_prefix == key[:6]
    assert key not in {integration.key_hash, integration.notes, integration.key_prefix}

    # and the key is never shown again, nor its hash
    for path in (INTEGRATIONS, f"{INTEGRATIONS}{integration.pk}/change/", f"{INTEGRATIONS}{integration.pk}/history/"):
        later = staff_client.get(path).content.decode()
        assert key not in later and integration.key_hash not in later
    changelist = staff_client.get(INTEGRATIONS).content.decode()
    assert f"{key[:6]}…" in changelist

    # and CATAPULT can push with it
    assert push_items(staff_client, key).status_code == 200


def test_the_add_form_rejects_a_duplicate_name_without_issuing_a_key(staff_client, items_key):
    response = staff_client.post(f"{INTEGRATIONS}add/", {"name": "CATAPULT items", "kind": "items", "enabled": "on"})
    assert response.status_code == 200
    assert b"already exists" in response.content
    assert b"issued-key" not in response.content
    assert Integration.objects.count() == 1


def test_the_change_page_lists_the_urls_to_configure_without_the_key(staff_client, items_key):
    response = staff_client.get(f"{INTEGRATIONS}{items_key.integration.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "http://testserver/ecrs/items/" in page and "http://testserver/ecrs/price-label-settings/" in page
    assert items_key.key not in page and items_key.integration.key_hash not in page
    assert "Rotate key" in page


def test_rotating_a_key_asks_first_then_the_old_key_fails_and_the_new_one_works(staff_client, items_key):
    change_url = f"{INTEGRATIONS}{items_key.integration.pk}/change/"
    action = {"CHANGE_FORM-action": "rotate_key", "_selected_action": items_key.integration.pk}

    # Given staff click "Rotate key" on the change page, they are asked to confirm
    confirm = staff_client.post(change_url, action)
    assert confirm.status_code == 200
    assert b"stops working at once" in confirm.content
    assert push_items(staff_client, items_key.key).status_code == 200  # nothing rotated yet

    # When they confirm
    response = staff_client.post(change_url, {**action, "confirm": "yes"})

    # Then a new key is shown once, the old one is refused and the new one accepted
    assert response.status_code == 200
    new_key = issued_key(response)
    assert new_key != items_key.key
    assert f"key={new_key}" in html.unescape(response.content.decode())
    assert push_items(staff_client, items_key.key).status_code == 401
    assert push_items(staff_client, new_key).status_code == 200
    assert new_key not in staff_client.get(change_url).content.decode()
    integration = Integration.objects.get()
    assert integration.key_rotated_at is not None
    assert integration.key_hash == hash_key(new_key)


def test_rotating_from_the_list_shows_each_new_key(staff_client, items_key, scales_key):
    selected = [items_key.integration.pk, scales_key.integration.pk]
    response = staff_client.post(INTEGRATIONS, {"action": "rotate_key", "_selected_action": selected, "confirm": "yes"})
    assert response.status_code == 200
    keys = re.findall(r'<code class="issued-key">([A-Za-z0-9_-]+)</code>', response.content.decode())
    assert len(keys) == 2 and items_key.key not in keys and scales_key.key not in keys
    assert "http://testserver/ecrs/scale-items/" in response.content.decode()
    assert push_items(staff_client, items_key.key).status_code == 401


# --- shopper integrations: a header, not CATAPULT's strings --------------------------------


def test_creating_a_shopper_integration_shows_the_shopper_header_and_an_example(staff_client):
    from coupons.services.sites import site_upsert

    site_upsert(site_id="STO1")

    response = staff_client.post(f"{INTEGRATIONS}add/", {"name": "Web shop", "kind": "shopper", "enabled": "on"})

    assert response.status_code == 200
    key = issued_key(response)
    page = html.unescape(response.content.decode())
    # The header a shopper app sends, and a request it can run as is
    assert re.search(r'<code class="issued-header">X-Shopper-Key: ' + re.escape(key) + "</code>", page)
    example = f"curl -H 'X-Shopper-Key: {key}' 'http://testserver/api/shopper/customers/4001/coupons/?site=STO1'"
    assert example in page
    assert "http://testserver/api/shopper/customers/<customer>/coupons/?site=<site id>" in page
    # and none of CATAPULT's: no JSON header string, no query parameter, no /ecrs/ URLs, no Web Office
    assert '{"X-Api-Key"' not in page and f"key={key}" not in page
    assert "QUERY PARAMETERS" not in page and "/ecrs/" not in page and "Web Office" not in page
    # and the example works
    answer = staff_client.get("/api/shopper/customers/4001/coupons/?site=STO1", HTTP_X_SHOPPER_KEY=key)
    assert answer.status_code == 200, answer.content


def test_rotating_a_shopper_key_shows_the_shopper_header(staff_client):
    shopper = integration_create(name="Phone app", kind="shopper")
    action = {"action": "rotate_key", "_selected_action": [shopper.integration.pk], "confirm": "yes"}

    response = staff_client.post(INTEGRATIONS, action)

    key = issued_key(response)
    page = html.unescape(response.content.decode())
    assert f"X-Shopper-Key: {key}" in page and f"key={key}" not in page and '{"X-Api-Key"' not in page


def test_a_shopper_integrations_page_lists_what_the_app_calls(staff_client):
    shopper = integration_create(name="Phone app", kind="shopper")
    page = html.unescape(staff_client.get(f"{INTEGRATIONS}{shopper.integration.pk}/change/").content.decode())
    assert "Shopper app" in page and "X-Shopper-Key" in page and "Web Office" not in page
    assert "http://testserver/api/shopper/customers/<customer>/clips/?site=<site id>" in page
    assert shopper.key not in page


def test_create_integration_prints_a_shopper_apps_header_only(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_integration", "Web shop", "--kind", "shopper", stdout=out)
    lines = out.getvalue().strip().splitlines()
    key = lines[-1]
    assert f"HEADER: X-Shopper-Key: {key}" in lines
    assert not any(line.startswith("QUERY PARAMETERS") or "X-Api-Key" in line for line in lines)


def test_the_integration_list_counts_recent_failures(staff_client, items_key, scales_key):
    push_items(staff_client, items_key.key, b"not json")  # 400, rejected
    push_items(staff_client, items_key.key, with_bad_record())  # 422, partial
    push_items(staff_client, items_key.key)  # 200
    old = Push.objects.create(integration=items_key.integration, endpoint="items", status="failed")
    Push.objects.filter(pk=old.pk).update(received_at=timezone.now() - timezone.timedelta(days=2))

    response = staff_client.get(INTEGRATIONS)
    assert response.status_code == 200
    rows = {integration.pk: integration.failures_24h for integration in response.context["cl"].result_list}
    assert rows == {items_key.integration.pk: 2, scales_key.integration.pk: 0}


# --- the push log --------------------------------------------------------------------------


def test_the_push_list_and_detail_show_what_arrived_and_what_was_wrong(staff_client, items_key):
    push_items(staff_client, items_key.key, with_bad_record())
    push = Push.objects.get()

    listing = staff_client.get(PUSHES)
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    page = listing.content.decode()
    assert "CATAPULT items" in page and "partial" in page

    detail = staff_client.get(f"{PUSHES}{push.pk}/change/")
    assert detail.status_code == 200
    page = html.unescape(detail.content.decode())
    # the problem as a row: JSON path, rule, value
    assert re.search(r"<td><code>\[1\]\.deptNumber</code></td><td>must be a number</td><td><code>produce</code>", page)
    assert "futureField" in page  # the warning about the unknown field
    assert push.message in page
    assert '"recordID": "4294967296999"' in page  # the body, indented
    assert "Replay" in page


def test_the_push_list_is_read_only(staff_client, items_key):
    push_items(staff_client, items_key.key)
    push = Push.objects.get()
    assert staff_client.get(f"{PUSHES}add/").status_code == 403
    assert staff_client.get(f"{PUSHES}{push.pk}/delete/").status_code == 403
    staff_client.post(f"{PUSHES}{push.pk}/change/", {"status": "ok", "message": "edited"})
    assert Push.objects.get().message != "edited"


def test_the_push_list_can_be_searched_and_filtered(staff_client, items_key):
    push_items(staff_client, items_key.key)
    push_items(staff_client, items_key.key, b"not json")
    ok = Push.objects.get(status="ok")
    assert staff_client.get(PUSHES, {"q": ok.sha256}).context["cl"].result_count == 1
    assert staff_client.get(PUSHES, {"status__exact": "rejected"}).context["cl"].result_count == 1
    assert staff_client.get(PUSHES, {"q": "not valid JSON"}).context["cl"].result_count == 1
    day = timezone.localtime(ok.received_at)
    dated = staff_client.get(PUSHES, {"received_at__year": day.year, "received_at__month": day.month})
    assert dated.context["cl"].result_count == 2


def test_the_replay_action_stores_a_new_push_with_the_same_outcome(staff_client, items_key):
    push_items(staff_client, items_key.key, with_bad_record())
    original = Push.objects.get()

    response = staff_client.post(
        PUSHES, {"action": "replay", "_selected_action": [original.pk], "index": 0}, follow=True
    )

    replay = Push.objects.exclude(pk=original.pk).get()
    assert replay.replay_of == original
    assert (replay.status, replay.http_status, replay.records, replay.rejected) == (
        original.status,
        original.http_status,
        original.records,
        original.rejected,
    )
    assert response.redirect_chain[-1][0] == f"{PUSHES}{replay.pk}/change/"
    shown = [str(message) for message in response.context["messages"]]
    assert any(
        "replayed as" in text and f"push #{replay.pk}" in text and "Some records rejected" in text for text in shown
    )
    # the replay and its original link to each other
    page = response.content.decode()
    assert f'href="{PUSHES}{original.pk}/change/"' in page
    original_page = staff_client.get(f"{PUSHES}{original.pk}/change/").content.decode()
    assert f'href="{PUSHES}{replay.pk}/change/"' in original_page


def test_the_replay_button_on_a_push_replays_it(staff_client, items_key):
    push_items(staff_client, items_key.key)
    original = Push.objects.get()
    response = staff_client.post(
        f"{PUSHES}{original.pk}/change/", {"CHANGE_FORM-action": "replay", "_selected_action": original.pk}
    )
    replay = Push.objects.get(replay_of=original)
    assert response.status_code == 302 and response["Location"] == f"{PUSHES}{replay.pk}/change/"
    assert replay.status == "ok" and replay.unchanged == 1


def test_a_pruned_push_cannot_be_replayed_and_the_page_says_so(staff_client, items_key):
    push_items(staff_client, items_key.key)
    Push.objects.update(body_compressed=None, body_pruned_at=timezone.now())
    push = Push.objects.get()

    detail = staff_client.get(f"{PUSHES}{push.pk}/change/").content.decode()
    assert "cannot be replayed" in detail
    assert 'value="replay"' not in detail

    response = staff_client.post(PUSHES, {"action": "replay", "_selected_action": [push.pk], "index": 0}, follow=True)
    assert Push.objects.count() == 1
    assert any("cannot be replayed" in str(message) for message in response.context["messages"])


def test_replaying_needs_more_than_the_view_permission(client, django_user_model, items_key):
    push_items(client, items_key.key)
    viewer = django_user_model.objects.create_user("viewer", password="viewer-pass-123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_push"))
    client.force_login(viewer)
    push = Push.objects.get()

    assert client.get(PUSHES).status_code == 200
    detail = client.get(f"{PUSHES}{push.pk}/change/")
    assert detail.status_code == 200 and b'value="replay"' not in detail.content
    client.post(PUSHES, {"action": "replay", "_selected_action": [push.pk], "index": 0})
    assert Push.objects.count() == 1


def test_the_push_list_costs_the_same_queries_for_5_or_50_pushes(
    staff_client, items_key, django_assert_max_num_queries
):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(PUSHES).status_code == 200
        return len(captured)

    for _ in range(5):
        push_items(staff_client, items_key.key)
    few = queries_for_list()
    Push.objects.bulk_create(
        [Push(integration=items_key.integration, endpoint="items", status="ok", size=10) for _ in range(45)]
    )
    with django_assert_max_num_queries(few):
        assert staff_client.get(PUSHES).status_code == 200
    assert queries_for_list() == few


def test_the_integration_list_costs_the_same_queries_for_2_or_20_integrations(
    staff_client, django_assert_max_num_queries
):
    integration_create(name="one", kind="items")
    integration_create(name="two", kind="scales")
    with CaptureQueriesContext(connection) as captured:
        staff_client.get(INTEGRATIONS)
    for n in range(18):
        integration_create(name=f"store {n}", kind="items")
    with django_assert_max_num_queries(len(captured)):
        assert len(staff_client.get(INTEGRATIONS).context["cl"].result_list) == 20


# --- refused requests ------------------------------------------------------------------------


def test_refused_requests_are_listed_read_only(staff_client, items_key):
    push_items(staff_client, "a-wrong-key-" * 4)
    refused = RefusedRequest.objects.get()

    response = staff_client.get(REFUSED)
    assert response.status_code == 200
    page = response.content.decode()
    assert "/ecrs/items/" in page and "unknown API key" in page and "127.0.0.1" in page
    assert staff_client.get(f"{REFUSED}{refused.pk}/change/").status_code == 200
    assert staff_client.get(f"{REFUSED}add/").status_code == 403
    assert staff_client.get(f"{REFUSED}{refused.pk}/delete/").status_code == 403
