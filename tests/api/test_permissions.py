"""Who may do what, resource by resource: staff only, and the model's Django permission
(view for reads, add for creating); schema and docs for everyone."""

from __future__ import annotations

import pytest

from .conftest import token_client

pytestmark = pytest.mark.django_db

# resource → (app label, model) whose permissions guard it
RESOURCES = {
    "stores": ("items", "store"),
    "items": ("items", "item"),
    "images": ("items", "itemimage"),
    "price-label-types": ("items", "pricelabeltype"),
    "scale-items": ("scales", "scaleitemstore"),
    "coupons": ("coupons", "coupon"),
    "customers": ("coupons", "customer"),
    "clips": ("coupons", "clip"),
    "transactions": ("coupons", "postransaction"),
    "pushes": ("ecrs_hub", "push"),
    "integrations": ("ecrs_hub", "integration"),
    "sites": ("coupons", "site"),
    "pos-credentials": ("coupons", "poscredential"),
}
WRITABLE = {"coupons", "customers", "sites", "pos-credentials"}


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_reading_needs_staff_and_the_view_permission(make_user, resource):
    app, model = RESOURCES[resource]
    path = f"/api/{resource}/"
    other = "coupons.view_coupon" if model != "coupon" else "items.view_item"
    assert token_client(make_user("nobody", perms=(other,))).get(path).status_code == 403
    assert token_client(make_user("customer", perms=(f"{app}.view_{model}",), staff=False)).get(path).status_code == 403
    assert token_client(make_user("clerk", perms=(f"{app}.view_{model}",))).get(path).status_code == 200


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_creating_needs_the_add_permission_and_catapult_data_is_never_written(make_user, resource):
    app, model = RESOURCES[resource]
    path = f"/api/{resource}/"
    viewer = token_client(make_user("viewer", perms=(f"{app}.view_{model}",)))
    assert viewer.post(path, {}, content_type="application/json").status_code == 403
    adder = token_client(make_user("adder", perms=(f"{app}.view_{model}", f"{app}.add_{model}")))
    status = adder.post(path, {}, content_type="application/json").status_code
    assert status == (400 if resource in WRITABLE else 405)  # an empty record is refused, validated


@pytest.mark.parametrize("path", ["/api/schema/", "/api/schema/?format=json", "/api/docs/", "/api/redoc/"])
def test_the_schema_and_docs_are_public(client, path):
    assert client.get(path).status_code == 200


def test_the_api_root_is_for_staff(client, make_user):
    assert client.get("/api/").status_code == 401
    assert token_client(make_user("clerk")).get("/api/").status_code == 200
