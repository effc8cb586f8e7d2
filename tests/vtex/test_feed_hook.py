"""Feed v3 (pull, at-least-once, visibility timeout) and hook configuration through the client."""

import pytest

from tests.vtex.support import new_order, vtex_calls
from vtex import MAX_FEED_LOT, VtexNotFound

FEED = "/api/orders/feed"


def test_feed_calls_without_a_configuration_are_not_found(client):
    with pytest.raises(VtexNotFound) as caught:
        client.get_feed_items()
    assert caught.value.code == "SBX-FEED-NOT-CONFIGURED"
    with pytest.raises(VtexNotFound):
        client.get_feed_config()


def test_feed_configuration_round_trip_and_deletion(client, sandbox):
    client.set_feed_config(statuses=["ready-for-handling", "handling"], visibility_timeout=60)

    config = client.get_feed_config()
    assert config["filter"] == {
        "type": "FromWorkflow",
        "status": ["ready-for-handling", "handling"],
    }
    assert config["queue"]["visibilityTimeoutInSeconds"] == 60
    assert config["queue"]["MessageRetentionPeriodInSeconds"] == 345600

    client.delete_feed_config()
    with pytest.raises(VtexNotFound):
        client.get_feed_config()
    (call,) = vtex_calls(sandbox, method="DELETE")
    assert call["path"] == f"{FEED}/config"


def test_feed_expression_filter_is_from_orders(client):
    client.set_feed_config(expression='status = "invoiced"', disable_single_fire=True)

    assert client.get_feed_config()["filter"] == {
        "type": "FromOrders",
        "expression": 'status = "invoiced"',
        "disableSingleFire": True,
    }


def test_feed_filter_mixing_statuses_and_expression_is_refused_before_sending(client, sandbox):
    with pytest.raises(ValueError, match="statuses"):
        client.set_feed_config(statuses=["handling"], expression='status = "handling"')
    assert vtex_calls(sandbox) == []


def test_uncommitted_items_come_back_after_the_visibility_timeout(client, sandbox):
    client.set_feed_config(statuses=["ready-for-handling"], visibility_timeout=1)
    order_ids = sandbox.create_orders(3, status="ready-for-handling")

    first = client.get_feed_items()
    assert sorted(item["orderId"] for item in first) == sorted(order_ids)
    assert {item["state"] for item in first} == {"ready-for-handling"}
    # Delivered items stay invisible until the timeout passes.
    assert client.get_feed_items() == []

    sandbox.advance_clock(1.1)
    again = client.get_feed_items()

    assert sorted(item["eventId"] for item in again) == sorted(item["eventId"] for item in first)
    # Each delivery has its own handle; committing the latest ones removes the items for good.
    assert {item["handle"] for item in again}.isdisjoint(item["handle"] for item in first)
    client.commit_feed_items(item["handle"] for item in again)
    sandbox.advance_clock(1.1)
    assert client.get_feed_items() == []
    assert client.get_feed_config()["quantity"] == 0


def test_committed_items_are_not_redelivered(client, sandbox):
    client.set_feed_config(statuses=["handling"], visibility_timeout=1)
    order_id = new_order(sandbox)
    client.start_handling(order_id)

    (item,) = client.get_feed_items()
    client.commit_feed_items([item["handle"]])
    sandbox.advance_clock(1.1)

    assert (item["orderId"], item["state"]) == (order_id, "handling")
    assert client.get_feed_items() == []
    commits = [c for c in vtex_calls(sandbox, method="POST") if c["path"] == FEED]
    assert [commit["body"] for commit in commits] == [{"handles": [item["handle"]]}]


def test_feed_lot_size_is_capped_at_ten(client, sandbox):
    client.set_feed_config(statuses=["ready-for-handling"])
    sandbox.create_orders(4, status="ready-for-handling")

    assert len(client.get_feed_items(max_lot=3)) == 3
    (call,) = vtex_calls(sandbox, method="GET", path_contains=FEED)
    assert call["query"] == "maxlot=3"

    with pytest.raises(ValueError, match="max_lot"):
        client.get_feed_items(max_lot=MAX_FEED_LOT + 1)
    client.commit_feed_items([])
    assert len(vtex_calls(sandbox, path_contains=FEED)) == 2  # config POST + the one GET


def test_hook_configuration_pings_delivers_and_deletes(client, sandbox, recorder):
    client.set_hook_config(
        url=recorder.url, headers={"X-Backoffice-Hook-Secret": "s3cr3t"}, statuses=["handling"]
    )

    ping = recorder.wait_for(1)[0]
    assert ping["body"] == {"hookConfig": "ping"}
    assert client.get_hook_config() == {
        "filter": {"type": "FromWorkflow", "status": ["handling"]},
        "hook": {"url": recorder.url, "headers": {"X-Backoffice-Hook-Secret": "s3cr3t"}},
    }

    order_id = new_order(sandbox)
    client.start_handling(order_id)
    notification = recorder.wait_for(2)[1]
    assert (notification["body"]["OrderId"], notification["body"]["State"]) == (
        order_id,
        "handling",
    )
    assert notification["headers"]["X-Backoffice-Hook-Secret"] == "s3cr3t"

    client.delete_hook_config()
    with pytest.raises(VtexNotFound):
        client.get_hook_config()


def test_hook_without_headers_sends_an_empty_header_object(client, sandbox, recorder):
    client.set_hook_config(url=recorder.url, expression='status = "invoiced"')

    (call,) = vtex_calls(sandbox, method="POST", path_contains="/hook/config")
    assert call["body"] == {
        "filter": {
            "type": "FromOrders",
            "expression": 'status = "invoiced"',
            "disableSingleFire": False,
        },
        "hook": {"url": recorder.url, "headers": {}},
    }
