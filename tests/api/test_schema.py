"""/api/schema/ (OpenAPI 3) and /api/docs/: public, valid, served from the project, and
describing every surface — /api/, and the /ecrs/ and /pos/ endpoints with the shapes of the
ECRS samples (CONTRACT 7)."""

from __future__ import annotations

import copy
import io

import jsonschema
import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from tests.conftest import fixture_json

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def json_schema(openapi: dict, name: str) -> dict:
    """A component as plain JSON Schema (OpenAPI 3.0's ``nullable`` written as a null type)."""

    def convert(node):
        if isinstance(node, dict):
            node = {key: convert(value) for key, value in node.items()}
            if node.pop("nullable", False):
                return {"anyOf": [node, {"type": "null"}]}
            return node
        if isinstance(node, list):
            return [convert(value) for value in node]
        return node

    return {"$ref": f"#/components/schemas/{name}", "components": convert(copy.deepcopy(openapi["components"]))}


def test_the_schema_is_public_openapi_3_and_lists_every_resource(client, schema):
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for resource in (
        "stores",
        "items",
        "images",
        "price-label-types",
        "scale-items",
        "coupons",
        "customers",
        "clips",
        "transactions",
        "pushes",
        "integrations",
        "sites",
        "pos-credentials",
    ):
        assert f"/api/{resource}/" in paths, resource
        assert f"/api/{resource}/{{id}}/" in paths, resource
    assert client.get("/api/schema/").status_code == 200  # YAML by default


def test_the_schema_validates_without_warnings(tmp_path):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"), stderr=out)
    assert (tmp_path / "schema.yaml").stat().st_size > 10_000


def test_the_schema_describes_the_push_endpoints_and_their_envelope(schema):
    paths = schema["paths"]
    for path in ("/ecrs/items/", "/ecrs/images/", "/ecrs/price-label-settings/", "/ecrs/scale-items/"):
        post = paths[path]["post"]
        assert {"200", "400", "401", "413", "415", "422", "503"} <= set(post["responses"])
        assert post["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/EcrsEnvelope")
        assert post["security"] == [{"EcrsApiKey": []}, {"EcrsBearer": []}, {"EcrsKeyQuery": []}]
    assert "multipart/form-data" in paths["/ecrs/images/"]["post"]["requestBody"]["content"]
    export = paths["/ecrs/scale-export/{scale_store_id}/"]["get"]
    assert {param["name"] for param in export["parameters"]} == {"scale_store_id", "cursor", "limit", "format"}
    item = schema["components"]["schemas"]["EcrsItem"]
    assert item["properties"]["itemId"]["maxLength"] == 16
    assert "heathAttrImg1" in item["properties"]  # (sic), as CATAPULT spells it
    assert item["required"] == ["recordID", "itemId"]


@pytest.mark.parametrize(
    ("component", "sample"),
    [
        ("EcrsItemsPage", "items-page.json"),
        ("EcrsScaleItemsPage", "scale-item.json"),
        ("EcrsPriceLabelSettingsPage", "price-label-settings.json"),
        ("PosCouponList", "pos-coupons-response.json"),
        ("PosCustomerCoupons", "pos-customer-coupons-response.json"),
        ("PosClipRequest", "pos-clip-request.json"),
        ("PosClipResponse", "pos-clip-response.json"),
        ("PosDemographicsRequest", "pos-demographics-request.json"),
        ("PosCustomer", "pos-demographics-response.json"),
        ("PosErrors", "pos-error-response.json"),
        ("PosTransactionUpdate", "pos-transaction-update-request.json"),
        ("PosTransactionUpdateAnswer", "pos-transaction-update-response.json"),
        ("PosCommit", "pos-transaction-commit-request.json"),
        ("PosCommitAnswer", "pos-transaction-commit-response.json"),
    ],
)
def test_the_described_shapes_accept_the_ecrs_samples(schema, component, sample):
    jsonschema.validate(fixture_json(sample), json_schema(schema, component))


def test_the_described_shapes_refuse_what_the_hub_refuses(schema):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"recordID": "1"}], json_schema(schema, "EcrsItemsPage"))  # no itemId
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"errors": [{"id": "OOPS", "details": ""}]}, json_schema(schema, "PosErrors"))


def test_the_schema_describes_the_pos_endpoints_and_aliases(schema):
    paths = schema["paths"]
    assert paths["/pos/coupons"]["get"]["security"] == [{"PosBasic": []}]
    assert {param["name"] for param in paths["/pos/transaction/update"]["post"]["parameters"]} == {
        "site",
        "customer",
        "transaction",
    }
    assert paths["/pos/transaction"]["post"]["description"].startswith("Alias of /pos/transaction/update")
    assert set(paths["/pos/transaction/cancel"]) == {"get", "post"}
    for alias in ("/pos/customer", "/pos/customer/coupons", "/pos/clip", "/pos/customer/demographics"):
        assert alias in paths
    assert "image/png" in paths["/pos/images/{name}"]["get"]["responses"]["200"]["content"]
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values() if isinstance(op, dict)]
    assert len(operation_ids) == len(set(operation_ids))


def test_the_docs_are_public_and_served_from_the_project_not_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    redoc = client.get("/api/redoc/")
    assert redoc.status_code == 200 and "cdn" not in redoc.content.decode().lower()


def test_the_schema_is_built_once_and_then_served_from_the_cache(client, django_assert_max_num_queries):
    from django.core.cache import cache

    cache.clear()
    first = client.get("/api/schema/", {"format": "json"})
    with django_assert_max_num_queries(0):
        again = client.get("/api/schema/", {"format": "json"})
    assert again.content == first.content
    assert "max-age=900" in again["Cache-Control"]
