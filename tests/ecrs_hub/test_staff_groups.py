"""The ready-made staff groups (``create_staff_groups``): Store staff look at everything,
release pending redemptions and map scale stores; Coupon managers also edit coupons,
customers, sites and POS credentials. Checked through the admin and the staff API, as a
non-superuser staff user in each group."""

from __future__ import annotations

import html
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from coupons.models import Clip, Coupon
from coupons.services.sites import pos_credential_upsert, site_upsert
from ecrs_hub.services import COUPON_MANAGERS, STORE_STAFF, api_token_create
from scales.models import ScaleDefaults
from tests.coupons.pos_support import PASSWORD, Pos, clip_of, line, make_clip, make_coupon, make_customer

pytestmark = pytest.mark.django_db

SODA = {
    "id": "SODA10",
    "shortDescription": "10% off soda",
    "rewardKind": "percent",
    "rewardValue": "10",
    "requirementUpcs": [894773001193],
    "sites": ["STO1"],
}


def groups(out: StringIO | None = None) -> str:
    out = out or StringIO()
    call_command("create_staff_groups", stdout=out)
    return out.getvalue()


def member(django_user_model, username: str, group: str):
    user = django_user_model.objects.create_user(username, password="pass-word-123", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='tests').key}")


def perms(name: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename")
    }


@pytest.fixture
def staff_groups():
    groups()


@pytest.fixture
def pending_clip(client) -> Clip:
    """A coupon made pending on a transaction by a POS update, as at a till."""
    site_upsert(site_id="STO1", name="Main Street")
    pos_credential_upsert(username="pos", password=PASSWORD, site_ids=["STO1"])
    make_clip(make_customer("412345"), make_coupon("A1"))
    assert Pos(client).update([line()]).status_code == 200
    clip = clip_of("412345", "A1")
    assert clip.state == Clip.State.PENDING
    return clip


def test_the_command_creates_both_groups_and_is_idempotent():
    first = groups()
    assert f"Group '{STORE_STAFF}' created" in first and f"Group '{COUPON_MANAGERS}' created" in first
    store_staff, managers = perms(STORE_STAFF), perms(COUPON_MANAGERS)
    assert {"items.view_item", "scales.view_scaleitem", "cognition.view_transaction", "ecrs_hub.view_push"} <= (
        store_staff
    )
    assert {"coupons.change_clip", "scales.change_scalestore", "coupons.view_coupon"} <= store_staff
    assert "coupons.add_coupon" not in store_staff and "ecrs_hub.view_apitoken" not in store_staff
    assert store_staff < managers
    assert {"coupons.add_coupon", "coupons.delete_customer", "coupons.change_customerphone"} <= managers
    assert {"coupons.change_poscredential", "coupons.add_site", "scales.change_scaledefaults"} <= managers
    assert "coupons.change_coupon" not in store_staff

    second = groups()
    assert f"Group '{STORE_STAFF}' updated: {len(store_staff)} permissions, 0 new this run." in second
    assert f"Group '{COUPON_MANAGERS}' updated: {len(managers)} permissions, 0 new this run." in second
    assert (perms(STORE_STAFF), perms(COUPON_MANAGERS)) == (store_staff, managers)
    assert Group.objects.filter(name__in=[STORE_STAFF, COUPON_MANAGERS]).count() == 2


def test_a_rerun_gives_back_what_a_group_lost_and_keeps_what_an_operator_added():
    groups()
    store_staff = Group.objects.get(name=STORE_STAFF)
    store_staff.permissions.remove(store_staff.permissions.get(codename="view_item"))
    extra = Group.objects.get(name=COUPON_MANAGERS).permissions.get(codename="add_coupon")
    store_staff.permissions.add(extra)
    out = groups()
    assert f"Group '{STORE_STAFF}' updated" in out and "1 new this run." in out
    assert {"items.view_item", "coupons.add_coupon"} <= perms(STORE_STAFF)


def test_store_staff_see_the_admin_and_release_a_pending_but_cannot_add_a_coupon(
    staff_groups, pending_clip, django_user_model
):
    staff = logged_in(member(django_user_model, "clerk", STORE_STAFF))
    assert staff.get("/admin/items/item/").status_code == 200
    assert staff.get("/admin/scales/scalestore/map/").status_code == 200
    page = staff.get("/admin/coupons/clip/pending/")
    assert page.status_code == 200 and 'name="clip"' in page.content.decode()

    response = staff.post("/admin/coupons/clip/pending/", {"clip": [pending_clip.pk]}, follow=True)
    assert "Released 1 pending coupon(s) back to clipped" in html.unescape(response.content.decode())
    pending_clip.refresh_from_db()
    assert pending_clip.state == Clip.State.CLIPPED and pending_clip.pending_transaction is None

    assert staff.get("/admin/coupons/coupon/add/").status_code == 403
    assert staff.post("/admin/coupons/coupon/add/", {"coupon_id": "NEW1"}).status_code == 403
    ScaleDefaults.objects.create(pk=1)
    assert staff.get("/admin/scales/scaledefaults/1/change/").status_code == 200  # to look at
    assert staff.post("/admin/scales/scaledefaults/1/change/", {"desc_line1": "x"}).status_code == 403
    assert not Coupon.objects.filter(coupon_id="NEW1").exists()


def test_coupon_managers_add_a_coupon_in_the_admin(staff_groups, django_user_model):
    manager = logged_in(member(django_user_model, "manager", COUPON_MANAGERS))
    form = {
        "coupon_id": "NEW1",
        "short_description": "Half off bananas",
        "enabled": "on",
        "requirement_upcs": "894773001193",
        "min_quantity": "1",
        "reward_kind": "percent",
        "reward_value": "50",
        "uses_per_customer": "1",
        "loyalty_cost": "0",
        "reduces_tax": "on",
        "type": "Store Discount",
    }
    page = manager.get("/admin/coupons/coupon/add/")
    assert page.status_code == 200
    response = manager.post("/admin/coupons/coupon/add/", form)
    assert response.status_code == 302, html.unescape(response.content.decode())
    assert Coupon.objects.get(coupon_id="NEW1").short_description == "Half off bananas"
    ScaleDefaults.objects.create(pk=1)
    defaults = manager.get("/admin/scales/scaledefaults/1/change/")
    assert defaults.status_code == 200 and 'name="desc_line1"' in defaults.content.decode()


def test_the_staff_api_follows_the_same_groups(staff_groups, django_user_model):
    site_upsert(site_id="STO1", store_number="27")
    staff = token_client(member(django_user_model, "clerk", STORE_STAFF))
    manager = token_client(member(django_user_model, "manager", COUPON_MANAGERS))

    assert staff.get("/api/coupons/").status_code == 200
    refused = staff.post("/api/coupons/", SODA, content_type="application/json")
    assert refused.status_code == 403
    assert not Coupon.objects.exists()

    created = manager.post("/api/coupons/", SODA, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert Coupon.objects.get(coupon_id="SODA10").short_description == "10% off soda"
    assert staff.get("/api/coupons/").json()["count"] == 1


def test_a_staff_user_in_no_group_sees_nothing(staff_groups, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="pass-word-123", is_staff=True)
    assert logged_in(nobody).get("/admin/items/item/").status_code == 403
    assert token_client(nobody).get("/api/coupons/").status_code == 403


def test_seed_demo_makes_a_store_staff_login_twice_over(django_user_model):
    from django.core.management.base import OutputWrapper

    from demo.seed import SECTIONS, DemoSeed, staff_groups

    assert staff_groups in SECTIONS
    for _run in range(2):
        seed = DemoSeed(OutputWrapper(StringIO()), OutputWrapper(StringIO()))
        staff_groups(seed)
    user = django_user_model.objects.get(username="staff")
    assert user.is_staff and not user.is_superuser and user.check_password("staff")
    assert list(user.groups.values_list("name", flat=True)) == [STORE_STAFF]
    assert seed.summary == [f"WARNING: staff / staff ({STORE_STAFF}) is a demo login for a local hub only."]
    assert logged_in(user).get("/admin/coupons/clip/pending/").status_code == 200
