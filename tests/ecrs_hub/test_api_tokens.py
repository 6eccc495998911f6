"""Staff API tokens (``Authorization: Token <key>``): only a hash is stored, the key is shown
once (admin, ``create_api_token``), and revoked or expired tokens and inactive users are
refused with 401."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ecrs_hub.machine_secrets import hash_key
from ecrs_hub.models import ApiToken
from ecrs_hub.services import api_token_create

pytestmark = pytest.mark.django_db

TOKENS = "/admin/ecrs_hub/apitoken/"
ITEMS = "/api/items/"


@pytest.fixture
def clerk(django_user_model):
    user = django_user_model.objects.create_user("clerk", password="pass-word-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="items", codename="view_item"))
    return user


def get(path: str, authorization: str):
    return Client().get(path, HTTP_AUTHORIZATION=authorization)


def stored_values(token: ApiToken) -> set[str]:
    return {str(getattr(token, field.attname)) for field in ApiToken._meta.concrete_fields}


# --- authenticating ------------------------------------------------------------------------


def test_a_token_authenticates_with_the_token_or_bearer_scheme_and_records_its_use(clerk):
    issued = api_token_create(user=clerk, name="nightly export")
    assert ApiToken.objects.get().last_used_at is None

    assert get(ITEMS, f"Token {issued.key}").status_code == 200
    assert get(ITEMS, f"Bearer {issued.key}").status_code == 200
    assert get(ITEMS, f"token {issued.key}").status_code == 200  # the scheme is case-insensitive

    used = ApiToken.objects.get().last_used_at
    assert used is not None and timezone.now() - used < timedelta(seconds=30)


def test_last_used_is_written_at_most_once_a_minute(clerk):
    issued = api_token_create(user=clerk, name="busy script")
    assert get(ITEMS, f"Token {issued.key}").status_code == 200
    first = ApiToken.objects.get().last_used_at

    # Used again at once: no write (the same queries as any authenticated request, no UPDATE)
    with CaptureQueriesContext(connection) as captured:
        assert get(ITEMS, f"Token {issued.key}").status_code == 200
    assert not [q for q in captured if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert ApiToken.objects.get().last_used_at == first

    # A minute later it is written again
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    assert get(ITEMS, f"Token {issued.key}").status_code == 200
    assert ApiToken.objects.get().last_used_at > first


def test_the_stored_row_holds_no_key(clerk):
    issued = api_token_create(user=clerk, name="nightly export")
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(issued.key)
    assert token.key_prefix == issued.key[:8]
    assert not any(issued.key in value for value in stored_values(token))
    # nor does the database hold it anywhere in the row (read raw, past the ORM)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM ecrs_hub_apitoken")
        (row,) = cursor.fetchall()
    assert not any(issued.key in str(value) for value in row)


@pytest.mark.parametrize(
    "authorization",
    [
        "Token not-a-real-token-at-all",
        "Token abcdefgh-wrong-key-with-a-right-looking-shape-xx",
        "Token",
        "Token two words",
        "Token bad\x00key",
        "Bearer ",
    ],
)
def test_a_wrong_or_malformed_token_is_refused_with_401(clerk, authorization):
    api_token_create(user=clerk, name="real")
    response = get(ITEMS, authorization)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_key_with_the_right_prefix_but_wrong_rest_is_refused(clerk):
    issued = api_token_create(user=clerk, name="real")
    forged = issued.key[:8] + ("A" if issued.key[8] != "A" else "B") + issued.key[9:]
    response = get(ITEMS, f"Token {forged}")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_a_revoked_token_is_refused(clerk):
    issued = api_token_create(user=clerk, name="old laptop")
    ApiToken.objects.update(revoked_at=timezone.now())
    response = get(ITEMS, f"Token {issued.key}")
    assert response.status_code == 401
    assert response.json() == {"detail": "The token was revoked."}


def test_an_expired_token_is_refused(clerk):
    issued = api_token_create(user=clerk, name="temp", expires_at=timezone.now() + timedelta(days=1))
    assert get(ITEMS, f"Token {issued.key}").status_code == 200
    ApiToken.objects.update(created_at=timezone.now() - timedelta(days=3), expires_at=timezone.now())
    response = get(ITEMS, f"Token {issued.key}")
    assert response.status_code == 401
    assert response.json() == {"detail": "The token has expired."}


def test_a_token_of_an_inactive_user_is_refused(clerk):
    issued = api_token_create(user=clerk, name="script")
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    response = get(ITEMS, f"Token {issued.key}")
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}


def test_a_token_gives_no_more_than_its_users_permissions(clerk):
    issued = api_token_create(user=clerk, name="script")
    assert get(ITEMS, f"Token {issued.key}").status_code == 200
    assert get("/api/coupons/", f"Token {issued.key}").status_code == 403


def test_the_schema_says_how_to_send_a_token(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme["type"] == "apiKey" and scheme["in"] == "header" and scheme["name"] == "Authorization"
    assert "Token <key>" in scheme["description"]
    assert {"tokenAuth": []} in schema["paths"]["/api/items/"]["get"]["security"]


# --- the admin -----------------------------------------------------------------------------


def issued_key(response) -> str:
    match = re.search(r'<code class="issued-key">([A-Za-z0-9_-]+)</code>', response.content.decode())
    assert match, "the page shows no key"
    return match.group(1)


def test_creating_a_token_in_the_admin_shows_the_key_once(staff_client, clerk):
    add = staff_client.get(f"{TOKENS}add/")
    assert add.status_code == 200
    form_fields = set(re.findall(r'name="([a-z_0-9]+)"', add.content.decode())) - {"csrfmiddlewaretoken"}
    assert form_fields >= {"user", "name", "expires_at_0", "expires_at_1"}
    assert not form_fields & {"key_hash", "key_prefix"}

    response = staff_client.post(f"{TOKENS}add/", {"user": clerk.pk, "name": "label printer script"})

    assert response.status_code == 200
    key = issued_key(response)
    page = html.unescape(response.content.decode())
    assert f"Authorization: Token {key}" in page
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(name="label printer script")
    assert token.user == clerk and token.key_hash == hash_key(key)

    # The key works, and is never shown again: not in the list, the token's page, its history
    assert get(ITEMS, f"Token {key}").status_code == 200
    for path in (TOKENS, f"{TOKENS}{token.pk}/change/", f"{TOKENS}{token.pk}/history/"):
        later = staff_client.get(path)
        assert later.status_code == 200
        assert key not in later.content.decode() and token.key_hash not in later.content.decode()
    changelist = staff_client.get(TOKENS).content.decode()
    assert f"{key[:8]}…" in changelist and "label printer script" in changelist


def test_the_admin_refuses_an_expiry_in_the_past(staff_client, clerk):
    past = timezone.localtime() - timedelta(days=1)
    response = staff_client.post(
        f"{TOKENS}add/",
        {"user": clerk.pk, "name": "x", "expires_at_0": f"{past:%Y-%m-%d}", "expires_at_1": f"{past:%H:%M:%S}"},
    )
    assert response.status_code == 200
    assert "The expiry must be in the future" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_revoke_action_stops_the_token_at_once(staff_client, clerk):
    kept = api_token_create(user=clerk, name="kept")
    revoked = api_token_create(user=clerk, name="lost laptop")

    response = staff_client.post(TOKENS, {"action": "revoke", "_selected_action": [revoked.token.pk]}, follow=True)

    assert response.status_code == 200
    assert "Revoked 1 token(s)" in response.content.decode()
    assert get(ITEMS, f"Token {revoked.key}").status_code == 401
    assert get(ITEMS, f"Token {kept.key}").status_code == 200
    assert staff_client.get(TOKENS, {"revoked": "yes"}).context["cl"].result_count == 1


def test_a_staff_user_who_is_not_superuser_issues_tokens_only_for_themself(client, clerk, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", password="pass-word-123")
    api_token_create(user=boss, name="boss's token")
    for codename in ("add_apitoken", "change_apitoken", "view_apitoken"):
        clerk.user_permissions.add(Permission.objects.get(content_type__app_label="ecrs_hub", codename=codename))
    client.force_login(clerk)

    # Issuing a token for a superuser would be acting as them: refused
    response = client.post(f"{TOKENS}add/", {"user": boss.pk, "name": "sneaky"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ApiToken.objects.filter(name="sneaky").exists()

    # Their own: fine; and they see only their own tokens
    assert client.post(f"{TOKENS}add/", {"user": clerk.pk, "name": "mine"}).status_code == 200
    assert [t.name for t in client.get(TOKENS).context["cl"].result_list] == ["mine"]


def test_the_token_list_takes_the_same_queries_for_many_tokens(staff_client, django_user_model):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(TOKENS).status_code == 200
        return len(captured)

    api_token_create(user=django_user_model.objects.create_user("u0", is_staff=True), name="t")
    few = count()
    for n in range(1, 8):
        api_token_create(user=django_user_model.objects.create_user(f"u{n}", is_staff=True), name="t")
    assert count() == few


# --- the command ---------------------------------------------------------------------------


def test_create_api_token_prints_the_key_once_as_its_last_line(clerk):
    out = StringIO()
    call_command("create_api_token", "clerk", "--name", "cron export", "--expires-days", "30", stdout=out)

    lines = out.getvalue().strip().splitlines()
    key = lines[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", key)
    assert f"HEADER: Authorization: Token {key}" in lines
    token = ApiToken.objects.get()
    assert token.name == "cron export" and token.user == clerk
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert not any(key in value for value in stored_values(token))
    assert get(ITEMS, f"Token {key}").status_code == 200


def test_create_api_token_without_expiry_never_expires(clerk):
    out = StringIO()
    call_command("create_api_token", "clerk", stdout=out)
    assert ApiToken.objects.get().expires_at is None
    assert "does not expire" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "No user named 'nobody'"),
        (["gone"], "User 'gone' is inactive"),
    ],
)
def test_create_api_token_refuses_an_unknown_or_inactive_user(django_user_model, args, message):
    django_user_model.objects.create_user("gone", is_staff=True, is_active=False)
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *args, stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_create_api_token_refuses_a_non_positive_expiry(clerk):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("create_api_token", "clerk", "--expires-days", "0", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()
