"""A kind's payload both ways: its dataclass to the command's JSON and back."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.outbox.support import StartHandling, StartHandlingPayload

text = st.text(max_size=40)


@given(order_id=text, refuse=text, scratch=text)
def test_a_payload_survives_the_trip_to_json_and_back(order_id, refuse, scratch):
    payload = StartHandlingPayload(order_id=order_id, refuse=refuse, scratch=scratch)
    data = StartHandling.payload_data(payload)
    assert data == {"order_id": order_id, "refuse": refuse, "scratch": scratch}
    assert StartHandling().payload_of(data) == payload


def test_another_kinds_payload_is_refused():
    with pytest.raises(TypeError, match="StartHandlingPayload"):
        StartHandling.payload_data({"order_id": "1"})
