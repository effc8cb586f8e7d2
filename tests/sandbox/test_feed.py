"""Feed v3: configuration, visibility timeout, redelivery, commit, filters, duplicates."""

from __future__ import annotations

from tests.sandbox.support import ORDERS, configure_feed, drain_feed, error_code, take_feed

FEED = "/api/orders/feed"
CONFIG = "/api/orders/feed/config"


def test_without_a_feed_config_the_feed_is_404(sandbox):
    assert sandbox.vtex("GET", FEED, params={"maxlot": 10}).status_code == 404
    assert sandbox.vtex("GET", CONFIG).status_code == 404
    assert sandbox.vtex("DELETE", CONFIG).status_code == 404


def test_only_changes_after_configuration_reach_the_feed(sandbox):
    before = sandbox.create_orders(2)
    configure_feed(sandbox, statuses=["ready-for-handling"])
    after = sandbox.create_orders(2)

    assert {item["orderId"] for item in drain_feed(sandbox)} == set(after)
    assert not set(before) & {item["orderId"] for item in drain_feed(sandbox)}


def test_items_have_vtex_fields(sandbox):
    configure_feed(sandbox, statuses=["ready-for-handling"])
    order_id = sandbox.create_orders(1)[0]

    (item,) = take_feed(sandbox)

    assert set(item) == {
        "eventId",
        "handle",
        "domain",
        "state",
        "lastState",
        "orderId",
        "lastChange",
        "currentChange",
    }
    assert (item["orderId"], item["state"], item["lastState"]) == (
        order_id,
        "ready-for-handling",
        "window-to-cancel",
    )


def test_maxlot_is_required_and_at_most_10(sandbox):
    configure_feed(sandbox, statuses=[])
    sandbox.create_orders(12)

    assert len(take_feed(sandbox, 10)) == 10
    for bad in (11, 0, "x"):
        response = sandbox.vtex("GET", FEED, params={"maxlot": bad})
        assert response.status_code == 400
        assert error_code(response) == "SBX-FEED-MAXLOT"
    assert sandbox.vtex("GET", FEED).status_code == 400


# The spec types visibilityTimeoutInSeconds as an integer; the sandbox also takes fractions.
# The timeout passes by advancing the sandbox's clock, not by sleeping.
def test_taken_items_hide_for_the_visibility_timeout_then_come_back(sandbox):
    configure_feed(sandbox, statuses=[], visibility=0.5)
    sandbox.create_orders(3)

    first = take_feed(sandbox)
    assert len(first) == 3
    assert take_feed(sandbox) == []

    sandbox.advance_clock(0.6)
    again = take_feed(sandbox)
    assert sorted(i["eventId"] for i in again) == sorted(i["eventId"] for i in first)
    assert {i["handle"] for i in again}.isdisjoint({i["handle"] for i in first})


def test_committed_items_are_gone_and_any_delivery_handle_commits(sandbox):
    configure_feed(sandbox, statuses=[], visibility=0.5)
    sandbox.create_orders(2)
    first = take_feed(sandbox)
    sandbox.advance_clock(0.6)
    second = take_feed(sandbox)

    # One item committed with its first handle, the other with its second.
    response = sandbox.vtex(
        "POST", FEED, json={"handles": [first[0]["handle"], second[1]["handle"]]}
    )

    assert response.status_code == 200
    sandbox.advance_clock(0.6)
    assert take_feed(sandbox) == []
    assert sandbox.vtex("GET", CONFIG).json()["quantity"] == 0


def test_config_reports_quantity_and_age(sandbox):
    configure_feed(sandbox, statuses=["handling"], visibility=5)
    for order_id in sandbox.create_orders(3):
        sandbox.set_status(order_id, "handling")
    take_feed(sandbox, 2)

    config = sandbox.vtex("GET", CONFIG).json()

    assert config["quantity"] == 3
    assert config["approximateAgeOfOldestMessageInSeconds"] >= 0
    assert config["filter"] == {"type": "FromWorkflow", "status": ["handling"]}
    assert config["queue"]["visibilityTimeoutInSeconds"] == 5


def test_status_filter_keeps_only_listed_statuses(sandbox):
    configure_feed(sandbox, statuses=["handling", "canceled"])
    order_id = sandbox.create_orders(1)[0]
    sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling")
    sandbox.vtex("POST", f"{ORDERS}/{order_id}/cancel")

    assert [item["state"] for item in drain_feed(sandbox)] == ["handling", "canceled"]


def test_mixing_status_and_expression_is_409(sandbox):
    response = sandbox.vtex(
        "POST",
        CONFIG,
        json={
            "filter": {
                "type": "FromWorkflow",
                "status": ["invoiced"],
                "expression": 'status = "invoiced"',
            },
            "queue": {"visibilityTimeoutInSeconds": 240, "MessageRetentionPeriodInSeconds": 345600},
        },
    )

    assert response.status_code == 409
    assert error_code(response) == "SBX-FILTER-CONFLICT"


def test_from_orders_expression_fires_once_per_order_by_default(sandbox):
    configure_feed(sandbox, type="FromOrders", expression='status = "handling" and value > 0')
    order_id = sandbox.create_orders(1)[0]
    sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling")
    value = sandbox.vtex("GET", f"{ORDERS}/{order_id}").json()["value"]
    sandbox.vtex(
        "POST",
        f"{ORDERS}/{order_id}/invoice",
        json={
            "type": "Output",
            "issuanceDate": "2024-01-01",
            "invoiceNumber": "1",
            "invoiceValue": value // 2,
            "items": [],
        },
    )

    assert [(i["orderId"], i["state"]) for i in drain_feed(sandbox)] == [(order_id, "handling")]


def test_from_orders_with_disable_single_fire_fires_on_every_matching_change(sandbox):
    configure_feed(
        sandbox,
        type="FromOrders",
        expression='status in ["handling", "invoiced"]',
        disableSingleFire=True,
    )
    order_id = sandbox.create_orders(1)[0]
    sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling")
    value = sandbox.vtex("GET", f"{ORDERS}/{order_id}").json()["value"]
    sandbox.vtex(
        "POST",
        f"{ORDERS}/{order_id}/invoice",
        json={
            "type": "Output",
            "issuanceDate": "2024-01-01",
            "invoiceNumber": "1",
            "invoiceValue": value,
            "items": [],
        },
    )

    states = [i["state"] for i in drain_feed(sandbox)]
    assert states.count("handling") >= 2
    assert states[-1] == "invoiced"


def test_an_unsupported_expression_is_refused(sandbox):
    response = sandbox.vtex(
        "POST",
        CONFIG,
        json={
            "filter": {"type": "FromOrders", "expression": "$sum(items.price) > {"},
            "queue": {"visibilityTimeoutInSeconds": 240, "MessageRetentionPeriodInSeconds": 345600},
        },
    )

    assert response.status_code == 400


def test_duplicate_rate_enqueues_events_twice_with_distinct_handles(sandbox):
    sandbox.set_options(duplicate_rate=1.0)
    configure_feed(sandbox, statuses=[])
    sandbox.create_orders(3)

    items = drain_feed(sandbox)

    assert len(items) == 6
    assert len({i["eventId"] for i in items}) == 3
    assert len({i["handle"] for i in items}) == 6


def test_deleting_the_config_stops_the_feed(sandbox):
    configure_feed(sandbox, statuses=[])

    assert sandbox.vtex("DELETE", CONFIG).status_code == 200
    assert sandbox.vtex("GET", FEED, params={"maxlot": 1}).status_code == 404


def test_reconfiguring_keeps_queued_events(sandbox):
    configure_feed(sandbox, statuses=[])
    sandbox.create_orders(2)

    configure_feed(sandbox, statuses=["invoiced"])

    assert len(drain_feed(sandbox)) == 2


def test_empty_answers_declare_no_json_content_type(sandbox):
    """A strict client cannot parse an empty body declared as JSON ("Unexpected end of JSON
    input" from an OpenAPI-validating proxy): an empty answer carries no content type."""
    config = {"filter": {"type": "FromWorkflow", "status": ["ready-for-handling"]}}
    answers = [sandbox.vtex("POST", CONFIG, json=config)]
    sandbox.create_orders(1)
    (item,) = take_feed(sandbox)
    answers.append(sandbox.vtex("POST", FEED, json={"handles": [item["handle"]]}))
    for answer in answers:
        assert answer.status_code == 200 and answer.content == b""
        assert "json" not in answer.headers.get("Content-Type", ""), answer.headers
