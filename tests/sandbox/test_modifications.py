"""The sandbox's Order Modifications workflow: the steps of a change over time, the order
changed only once it is done, its feed event, and VTEX's rules for when and what."""

from tests.sandbox.support import configure_feed, drain_feed, error_code, get_order, new_order

CHANGES = "/api/order-system/orders/{}/changes"


def _change(sandbox, order_id, body, *, preview=False):
    path = CHANGES.format(order_id)
    if preview:
        return sandbox.vtex("POST", path + "/preview", json=body, params={"an": "sandbox"})
    return sandbox.vtex("PATCH", path, json=body, params={"accountName": "sandbox"})


def _status(sandbox, order_id, request_id):
    path = f"{CHANGES.format(order_id)}/{request_id}"
    return sandbox.vtex("GET", path, params={"an": "sandbox"}).json()["status"]


def test_a_change_moves_through_its_steps_and_changes_the_order_only_when_done(sandbox):
    order_id = new_order(sandbox, "handling")
    configure_feed(sandbox, statuses=["handling"])
    drain_feed(sandbox)
    sandbox.set_options(change_delay=60)
    value = get_order(sandbox, order_id)["value"]

    created = _change(sandbox, order_id, {"reason": "Desconto", "manualDiscountValue": 300})

    assert created.status_code == 202
    request_id = created.json()["requestId"]
    seen = [_status(sandbox, order_id, request_id)]
    for _step in range(2):
        assert get_order(sandbox, order_id)["value"] == value
        sandbox.advance_clock(59)
        assert _status(sandbox, order_id, request_id) == seen[-1]
        sandbox.advance_clock(1)
        seen.append(_status(sandbox, order_id, request_id))
    assert seen == ["waiting-acknowledgement", "waiting-confirmation", "done"]
    assert get_order(sandbox, order_id)["value"] == value - 300
    assert [item["orderId"] for item in drain_feed(sandbox)] == [order_id]


def test_a_clock_jump_past_every_step_finishes_the_change(sandbox):
    order_id = new_order(sandbox, "handling")
    sandbox.set_options(change_delay=60)
    value = get_order(sandbox, order_id)["value"]
    created = _change(sandbox, order_id, {"reason": "Desconto", "manualDiscountValue": 300})

    sandbox.advance_clock(121)

    assert _status(sandbox, order_id, created.json()["requestId"]) == "done"
    assert get_order(sandbox, order_id)["value"] == value - 300


def test_a_preview_is_the_change_it_would_make_and_changes_nothing(sandbox):
    order_id = new_order(sandbox, "handling")
    before = get_order(sandbox, order_id)

    preview = _change(sandbox, order_id, {"reason": "x", "manualDiscountValue": 10}, preview=True)

    assert preview.json()["totalChangeValue"] == -10
    assert get_order(sandbox, order_id) == before


def test_vtex_rules_for_a_change(sandbox):
    order_id = new_order(sandbox, "handling")
    document = get_order(sandbox, order_id)
    item = document["items"][0]
    too_many = {"reason": "x", "remove": {"items": [{"id": item["id"], "quantity": 99}]}}
    assert error_code(_change(sandbox, order_id, too_many, preview=True)) == "SBX-CHANGE-ITEMS"
    assert error_code(_change(sandbox, order_id, {"reason": "nada"})) == "SBX-CHANGE-EMPTY"
    increment = {"reason": "frete", "manualIncrementValue": 100}
    group = document["paymentData"]["transactions"][0]["payments"][0]["group"]
    assert _change(sandbox, order_id, increment, preview=True).status_code == 200
    answer = _change(sandbox, order_id, increment)
    if group == "creditCard":
        assert answer.status_code == 202
    else:
        assert error_code(answer) == "SBX-CHANGE-PAYMENT"

    ready = new_order(sandbox, "ready-for-handling")
    discount = {"reason": "x", "manualDiscountValue": 1}
    assert error_code(_change(sandbox, ready, discount)) == "SBX-CHANGE-STATUS"


def test_a_change_stopped_on_error_blocks_the_next_until_retried(sandbox):
    order_id = new_order(sandbox, "handling")
    sandbox.set_options(change_stops=1)
    discount = {"reason": "x", "manualDiscountValue": 1}
    request_id = _change(sandbox, order_id, discount).json()["requestId"]
    assert _status(sandbox, order_id, request_id) == "error"
    assert _change(sandbox, order_id, discount).status_code == 409

    retry = f"{CHANGES.format(order_id)}/{request_id}/retry"
    assert sandbox.vtex("POST", retry, json={"reason": "ok"}).status_code == 204

    assert _status(sandbox, order_id, request_id) == "done"
    assert _change(sandbox, order_id, discount).status_code == 202


def test_register_change_is_still_served_and_marked_deprecated(sandbox):
    order_id = new_order(sandbox, "handling")
    body = {
        "requestId": "r1",
        "reason": "x",
        "discountValue": 1,
        "incrementValue": 0,
        "itemsRemoved": [],
        "itemsAdded": [],
    }
    answer = sandbox.vtex("POST", f"/api/oms/pvt/orders/{order_id}/changes", json=body)
    assert answer.status_code == 200
    assert answer.headers["Deprecation"] == "@1772323200"
