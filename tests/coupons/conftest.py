"""Fixtures for the POS coupon API tests: a site, a POS credential and a client that speaks
as a POS (see pos_support)."""

from __future__ import annotations

import pytest

from coupons.services.sites import pos_credential_upsert, site_upsert

from .pos_support import PASSWORD, Pos


@pytest.fixture
def site(db):
    return site_upsert(site_id="STO1", name="Main Street").site


@pytest.fixture
def credential(site):
    return pos_credential_upsert(username="pos", password=PASSWORD, site_ids=["STO1"]).credential


@pytest.fixture
def pos(client, credential) -> Pos:
    return Pos(client)
