"""A fake Cognition server on a free loopback port for each test, and settings that point
the hub's client at it with short backoffs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cognition.testing.fake_server import FakeCognition, FakeData

ORIGIN = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)  # midnight US/Eastern, 1 March 2026


@pytest.fixture
def fake_data() -> FakeData:
    return FakeData(origin=ORIGIN, interval=timedelta(minutes=10), lines=(3, 6))


@pytest.fixture
def fake_cognition(fake_data, settings):
    fake = FakeCognition(account="24723", api_key="test-key", data=fake_data).start()
    settings.COGNITION_BASE_URL = fake.url
    settings.COGNITION_ACCOUNT = "24723"
    settings.COGNITION_API_KEY = "test-key"
    settings.COGNITION_BACKOFF = 0.01
    settings.COGNITION_BACKOFF_MAX = 2.0
    settings.COGNITION_RETRIES = 3
    settings.COGNITION_TIMEOUT = 10.0
    yield fake
    fake.stop()


def expected_rows(data: FakeData, start: datetime, end: datetime, *, status: int = 0, all_void: int = 0) -> list[dict]:
    return list(data.rows_between(start, end, status=status, all_void=all_void))
