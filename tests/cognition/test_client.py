"""The Cognition client against the fake server over real HTTP: auth headers, gzip, JSON
and CSV, retries with backoff on 429/500 (honouring Retry-After), clear 400/401/403 errors."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from cognition.client import (
    ClientConfig,
    CognitionAuthError,
    CognitionBadRequest,
    CognitionClient,
    CognitionForbidden,
    CognitionUnavailable,
    iter_json_array,
    retry_after_seconds,
)

from .conftest import ORIGIN, expected_rows

START, END = ORIGIN, ORIGIN + timedelta(hours=3)


def client_for(fake, **overrides) -> CognitionClient:
    config = {"base_url": fake.url, "account": "24723", "api_key": "test-key", "backoff": 0.01, "retries": 3}
    return CognitionClient(ClientConfig(**{**config, **overrides}))


def test_sends_account_and_key_and_asks_for_gzip(fake_cognition):
    with client_for(fake_cognition) as client:
        rows = list(client.transaction_history(start=START, end=END))
    request = fake_cognition.requests[0]
    assert request["headers"]["X-ECRS-Auth-Acct"] == "24723"
    assert request["headers"]["X-ECRS-APIKEY"] == "test-key"
    assert "gzip" in request["headers"]["Accept-Encoding"]
    assert request["query"]["ingestionStartTime"] == ["2026-03-01T05:00:00.000Z"]
    assert request["query"]["ingestionEndTime"] == ["2026-03-01T08:00:00.000Z"]
    assert request["query"]["TransactionStatus"] == ["0"] and request["query"]["AllVoid"] == ["0"]
    assert fake_cognition.responses[0]["encoding"] == "gzip"
    assert rows == expected_rows(fake_cognition.data, START, END)


def test_bounds_are_exclusive(fake_cognition):
    # Transactions are ingested every 10 minutes from ORIGIN: neither bound's row is in.
    with client_for(fake_cognition) as client:
        rows = list(client.transaction_history(start=START, end=START + timedelta(minutes=30)))
    stamps = sorted({row["CognitionUploadTime"] for row in rows})
    assert stamps == ["2026-03-01 05:10:00", "2026-03-01 05:20:00"]


def test_csv_gives_the_same_rows_as_text(fake_cognition):
    with client_for(fake_cognition) as client:
        as_json = list(client.transaction_history(start=START, end=END))
        as_csv = list(client.transaction_history(start=START, end=END, fmt="csv"))
    assert fake_cognition.requests[1]["headers"]["Accept"] == "text/csv"
    assert fake_cognition.responses[1]["content_type"].startswith("text/csv")
    assert len(as_csv) == len(as_json) > 0
    assert [row["TLI_PK"] for row in as_csv] == [str(row["TLI_PK"]) for row in as_json]
    assert as_csv[0]["CUS_Company"] is None  # empty cells are null


def test_429_is_retried_after_the_retry_after_delay(fake_cognition):
    fake_cognition.fail_next(429, times=2, retry_after="1")
    began = time.monotonic()
    with client_for(fake_cognition) as client:
        rows = list(client.transaction_history(start=START, end=END))
    assert time.monotonic() - began >= 2.0  # two waits of at least the server's Retry-After
    assert [r["status"] for r in fake_cognition.responses] == [429, 429, 200]
    assert rows


def test_a_retry_after_longer_than_the_backoff_limit_gives_up_at_once(fake_cognition):
    waits = []
    fake_cognition.fail_next(429, retry_after="3600", message="Daily quota used.")
    client = CognitionClient(
        ClientConfig(base_url=fake_cognition.url, account="24723", api_key="test-key", backoff_max=60),
        sleep=waits.append,
    )
    with client, pytest.raises(CognitionUnavailable, match=r"asked to retry after 3600 s.*Daily quota used"):
        list(client.transaction_history(start=START, end=END))
    assert waits == [] and len(fake_cognition.requests) == 1


def test_500_is_retried_with_exponential_backoff(fake_cognition):
    waits = []
    fake_cognition.fail_next(500, times=3)
    client = CognitionClient(
        ClientConfig(base_url=fake_cognition.url, account="24723", api_key="test-key", backoff=0.5, retries=3),
        sleep=waits.append,
    )
    with client:
        assert list(client.transaction_history(start=START, end=END))
    assert waits == [0.5, 1.0, 2.0]


def test_gives_up_after_the_retries_with_the_status(fake_cognition):
    fake_cognition.fail_next(503, times=10)
    with client_for(fake_cognition, retries=2) as client, pytest.raises(CognitionUnavailable) as failed:
        list(client.transaction_history(start=START, end=END))
    assert failed.value.status == 503
    assert "after 3 attempts" in str(failed.value)
    assert len(fake_cognition.requests) == 3


def test_400_carries_the_server_message(fake_cognition):
    with client_for(fake_cognition) as client, pytest.raises(CognitionBadRequest) as refused:
        list(client.transaction_history(start=START, end=START + timedelta(hours=27)))
    assert refused.value.status == 400
    assert "can only be 26 hours" in str(refused.value)
    assert len(fake_cognition.requests) == 1  # never retried


def test_400_for_csv_is_read_as_json(fake_cognition):
    fake_cognition.fail_next(400, message="TransactionStatus must be an integer.")
    with client_for(fake_cognition) as client, pytest.raises(CognitionBadRequest, match="must be an integer"):
        list(client.transaction_history(start=START, end=END, fmt="csv"))


def test_401_and_403_say_what_the_server_said(fake_cognition):
    with client_for(fake_cognition, api_key="wrong") as client, pytest.raises(CognitionAuthError) as denied:
        list(client.transaction_history(start=START, end=END))
    assert denied.value.status == 401 and "X-ECRS-APIKEY" in str(denied.value)
    with client_for(fake_cognition, account="99999") as client, pytest.raises(CognitionForbidden) as forbidden:
        client.recommendations("coupon", customer=1)
    assert forbidden.value.status == 403 and "X-ECRS-Auth-Acct" in str(forbidden.value)


def test_ids_are_64_bit(fake_cognition):
    with client_for(fake_cognition) as client:
        rows = list(client.transaction_history(start=START, end=END))
    assert all(row["TRN_PK"] > 2**32 for row in rows)


def test_slow_answers_time_out_and_are_retried(fake_cognition):
    fake_cognition.delay = 0.5
    with client_for(fake_cognition, timeout=0.2, retries=1) as client, pytest.raises(CognitionUnavailable):
        client.recommendations("coupon", customer=1)
    assert len(fake_cognition.requests) >= 2


def test_json_array_is_decoded_across_any_chunking():
    text = '[ {"a": 1, "b": "x,]"} , {"a": 2}\n,{"a": [3, {"c": null}]} ]'
    for size in (1, 2, 3, 7, len(text)):
        chunks = [text[i : i + size] for i in range(0, len(text), size)]
        assert list(iter_json_array(iter(chunks))) == [{"a": 1, "b": "x,]"}, {"a": 2}, {"a": [3, {"c": None}]}]


def test_retry_after_as_http_date():
    from datetime import UTC, datetime

    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:05 GMT", now=now) == 5.0
    assert retry_after_seconds("3", now=now) == 3.0
    assert retry_after_seconds("soon", now=now) is None
