"""The Order Modifications API through the client: what each call sends and answers, its
typed errors, and the retry rules every call shares (GETs retried, writes never)."""

import pytest

from tests.vtex.support import new_order, vtex_calls
from vtex import VtexNotFound, VtexRejected, VtexTransientError, wire

CHANGES = "/api/order-system/orders/"


def _discount(cents: int = 100) -> dict:
    return wire.change_body(reason="Desconto combinado", manual_discount=cents)


def test_a_preview_answers_the_new_totals_and_changes_nothing(client, sandbox):
    order_id = new_order(sandbox, "handling")
    before = client.get_order(order_id)

    preview = client.preview_change(order_id, change=_discount(250))

    assert preview["totalChangeValue"] == -250
    assert {t["id"]: t["value"] for t in preview["totals"]}["Discounts"] == (
        {t["id"]: t["value"] for t in before["totals"]}["Discounts"] - 250
    )
    assert client.get_order(order_id)["value"] == before["value"]
    assert client.get_change_history(order_id)["requests"] == []
    [call] = vtex_calls(sandbox, method="POST")
    assert call["query"] == "an=sandbox"


def test_a_created_change_is_followed_to_done(client, sandbox):
    order_id = new_order(sandbox, "handling")
    value = client.get_order(order_id)["value"]

    created = client.create_change(order_id, change=_discount())

    [call] = vtex_calls(sandbox, method="PATCH")
    assert call["query"] == "accountName=sandbox"
    assert call["body"] == {"reason": "Desconto combinado", "manualDiscountValue": 100}
    detail = client.get_change_detail(order_id, created["requestId"])
    assert (detail["status"], detail["inProgress"]) == ("done", False)
    assert client.get_order(order_id)["value"] == value - 100
    history = client.get_change_history(order_id)
    assert [action["status"] for action in history["actions"]] == [
        "waiting-acknowledgement",
        "waiting-confirmation",
        "done",
    ]


def test_a_stopped_change_is_retried_or_canceled(client, sandbox):
    order_id = new_order(sandbox, "handling")
    sandbox.set_options(change_stops=1)
    stopped = client.create_change(order_id, change=_discount())["requestId"]
    assert client.get_change_detail(order_id, stopped)["status"] == "error"

    client.retry_change(order_id, stopped, reason="Gateway de volta")

    assert client.get_change_detail(order_id, stopped)["status"] == "done"
    sandbox.set_options(change_stops=1)
    other = client.create_change(order_id, change=_discount(50))["requestId"]
    client.cancel_change(order_id, other, reason="Desisto")
    assert client.get_change_detail(order_id, other)["status"] == "canceled"
    with pytest.raises(VtexRejected) as caught:
        client.cancel_change(order_id, stopped, reason="Tarde demais")
    assert (caught.value.status, caught.value.code) == (409, "SBX-CHANGE-NOT-STOPPED")


def test_refusals_are_typed_errors(client, sandbox):
    order_id = new_order(sandbox, "ready-for-handling")

    with pytest.raises(VtexRejected) as caught:
        client.preview_change(order_id, change=_discount())
    assert caught.value.code == "SBX-CHANGE-STATUS"
    with pytest.raises(VtexNotFound):
        client.get_change_detail(order_id, "nope")


def test_reads_are_retried_and_writes_are_not(make_client, sandbox):
    order_id = new_order(sandbox, "handling")
    client = make_client(get_retries=2)
    sandbox.set_faults(rate_500=1.0, paths=[CHANGES])

    with pytest.raises(VtexTransientError):
        client.get_change_history(order_id)
    with pytest.raises(VtexTransientError):
        client.create_change(order_id, change=_discount())

    assert len(vtex_calls(sandbox, method="GET")) == 3
    assert len(vtex_calls(sandbox, method="PATCH")) == 1


def test_what_cannot_be_sent_is_refused_before_sending(client, sandbox):
    with pytest.raises(ValueError, match="changes nothing"):
        wire.change_body(reason="nada")
    with pytest.raises(ValueError, match="reason"):
        wire.change_body(reason=" ", manual_discount=1)
    with pytest.raises(ValueError, match="order_id"):
        client.create_change("", change=_discount())
    with pytest.raises(ValueError, match="change_request_id"):
        client.retry_change("1-01", "", reason="x")
    assert vtex_calls(sandbox) == []
