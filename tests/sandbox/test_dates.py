"""The dates a client sends: read as instants (one without an offset is UTC, as VTEX reads
it), answered by GetOrder in VTEX's UTC form, and refused with a 400 when they are no date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fixtures.brazil_time import aware_instants
from tests.sandbox.support import ORDERS, get_order, handling_order, send_invoice


def _package(sandbox, order_id: str) -> dict:
    return get_order(sandbox, order_id)["packageAttachment"]["packages"][0]


def _invoiced(sandbox, **extra) -> str:
    order_id, value = handling_order(sandbox)
    response = send_invoice(sandbox, order_id, "NF-1", value, **extra)
    assert response.status_code == 200, response.text
    return order_id


def test_an_issuance_date_with_an_offset_is_answered_as_its_utc_instant(sandbox):
    order_id = _invoiced(
        sandbox,
        issuanceDate="2026-12-06T18:20:00-03:00",
        dispatchedDate="2026-12-06T19:00:00.1234567-03:00",
    )

    assert _package(sandbox, order_id)["issuanceDate"] == "2026-12-06T21:20:00.0000000+00:00"
    [kept] = sandbox.order(order_id)["invoices"]
    assert kept["dispatchedDate"] == "2026-12-06T22:00:00.1234560+00:00"


@pytest.mark.parametrize(
    ("sent", "answered"),
    [
        ("2026-12-06 18:20", "2026-12-06T18:20:00.0000000+00:00"),
        ("2026-12-06T18:20:00", "2026-12-06T18:20:00.0000000+00:00"),
        ("2026-12-06", "2026-12-06T00:00:00.0000000+00:00"),
    ],
)
def test_a_date_without_an_offset_is_utc(sandbox, sent, answered):
    order_id = _invoiced(sandbox, issuanceDate=sent)
    assert _package(sandbox, order_id)["issuanceDate"] == answered


@pytest.mark.parametrize(
    "sent", ["06/12/2026 18:20", "ontem", "2026-02-30T10:00:00", "2026-12-06\x00", "9" * 5000]
)
def test_what_is_no_date_is_refused_and_changes_nothing(sandbox, sent):
    order_id, value = handling_order(sandbox)

    response = send_invoice(sandbox, order_id, "NF-1", value, issuanceDate=sent)

    assert response.status_code == 400
    assert "issuanceDate is not a date" in response.json()["error"]["message"]
    assert sandbox.order(order_id)["invoices"] == []


def test_the_delivered_date_is_read_as_utc(sandbox):
    order_id = _invoiced(sandbox, trackingNumber="BR1", courier="Correios")
    body = {"isDelivered": True, "deliveredDate": "2026-12-06 21:20", "events": []}
    path = f"{ORDERS}/{order_id}/invoice/NF-1/tracking"

    refused = sandbox.vtex("PUT", path, json={**body, "deliveredDate": "às 18:20"})
    assert refused.status_code == 400
    assert sandbox.order(order_id)["invoices"][0]["isDelivered"] is False
    assert sandbox.vtex("PUT", path, json=body).status_code == 200

    courier_status = _package(sandbox, order_id)["courierStatus"]
    assert courier_status["deliveredDate"] == "2026-12-06T21:20:00.0000000+00:00"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moment=aware_instants())
def test_a_dispatch_date_in_any_brazilian_zone_comes_back_as_the_same_instant(sandbox, moment):
    # One invoice for every example (the fixture's store lives through them).
    order_id = getattr(sandbox, "dated_order", None) or _invoiced(sandbox)
    sandbox.dated_order = order_id
    response = sandbox.vtex(
        "PATCH",
        f"{ORDERS}/{order_id}/invoice/NF-1",
        json={"trackingNumber": "BR1", "dispatchedDate": moment.isoformat()},
    )
    assert response.status_code == 200, response.text

    [kept] = sandbox.order(order_id)["invoices"]
    answered = kept["dispatchedDate"]
    assert answered.endswith("+00:00")
    assert datetime.fromisoformat(answered) == moment.astimezone(UTC)
