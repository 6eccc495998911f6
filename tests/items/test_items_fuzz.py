"""Nothing a client sends crashes the items endpoint: arbitrary JSON gets 200, 422 or 400,
always in the envelope, and the push is always logged with that outcome."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecrs_hub.models import Push
from items import wire

FIELD_NAMES = sorted(wire.ITEM.names | wire.ITEM_STORE.names | wire.STORE.names | wire.ORDERING.names)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["", "4.9900", "Yes", "false", "1e400", "-0", "NaN", "\x00", "9" * 30]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8)), children, max_size=6),
    ),
    max_leaves=20,
)
entry = st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=12)
item = st.fixed_dictionaries(
    {
        "recordID": st.one_of(st.text(min_size=1, max_size=70), st.integers(), st.none()),
        "itemId": st.one_of(st.text(max_size=20), st.integers()),
    },
    optional={
        "stores": st.one_of(st.lists(entry, max_size=3), json_values),
        "ordering": st.one_of(st.lists(entry, max_size=2), json_values),
    },
).flatmap(lambda base: entry.map(lambda extra: {**extra, **base}))
pages = st.one_of(st.lists(item, max_size=4), item, json_values)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=pages)
def test_any_json_is_answered_in_the_envelope_and_never_with_a_500(pusher, page):
    before = Push.objects.count()

    response = pusher.items(json.dumps(page))

    assert response.status_code in (200, 400, 422), response.content
    body = response.json()
    assert set(body) == {"success", "message"} and body["success"] is (response.status_code == 200)
    push = Push.objects.order_by("-pk").first()
    assert Push.objects.count() == before + 1 and push.http_status == response.status_code
