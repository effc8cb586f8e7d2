"""The VTEX hook endpoint, called by the sandbox (as VTEX would) and by hand."""

import json
import logging
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from backoffice.celery import app as celery_app
from core.models import TaskLock
from core.vtex import vtex_client
from orders.models import EventType, Order, OrderEvent
from orders.tasks import order_sync_task
from tests.orders.factories import OrderFactory

SECRET = "a-shared-secret-of-some-length"
HEADER = "X-Backoffice-Hook-Secret"
HOOK = reverse("orders:order-hook")


@pytest.fixture
def hook_enabled(settings):
    settings.ORDERS_HOOK_SECRET = SECRET
    settings.ORDERS_HOOK_SECRET_HEADER = HEADER


@pytest.fixture
def celery_eager():
    """Queued tasks run at once, in the web request that queued them."""
    keys = ("task_always_eager", "task_eager_propagates")
    before = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(dict.fromkeys(keys, True))
    yield
    celery_app.conf.update(before)


def post(client, body, *, secret=SECRET, **extra):
    return client.post(
        HOOK, body, content_type="application/json", headers={HEADER: secret}, **extra
    )


@pytest.fixture
def queued(monkeypatch):
    """What the hook hands to the broker (nothing runs)."""
    sent: list[dict] = []
    monkeypatch.setattr(
        "orders.tasks.order_sync_task.apply_async", lambda **kw: sent.append(kw["kwargs"])
    )
    return sent


def notification(order_id: str, state: str = "handling") -> dict:
    # VTEX's body (contract 7.3); Origin.Key is the appKey the store's change came through.
    return {
        "Domain": "Fulfillment",
        "OrderId": order_id,
        "State": state,
        "LastState": "ready-for-handling",
        "LastChange": "2026-11-28T12:00:00.0000000Z",
        "CurrentChange": "2026-11-28T12:00:01.0000000Z",
        "Origin": {"Account": "store", "Key": "vtexappkey-store-NOTINLOGS"},
    }


def undated(order_id: str) -> dict:
    # The guide's example: no CurrentChange, and here no LastChange either.
    return {"Domain": "Fulfillment", "OrderId": order_id, "State": "handling"}


@pytest.mark.django_db
def test_the_configuration_ping_gets_a_200(client, hook_enabled):
    assert post(client, {"hookConfig": "ping"}).status_code == 200


@pytest.mark.django_db
def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_queued(
    client, hook_enabled, monkeypatch
):
    queued = []
    monkeypatch.setattr("orders.tasks.order_sync_task.apply_async", lambda **kw: queued.append(kw))

    assert post(client, {"OrderId": "1-01"}, secret="guess").status_code == 401
    assert (
        client.post(HOOK, {"OrderId": "1-01"}, content_type="application/json").status_code == 401
    )
    assert queued == []


@pytest.mark.django_db
def test_without_a_secret_configured_the_hook_does_not_exist(client, settings):
    settings.ORDERS_HOOK_SECRET = ""

    assert post(client, {"hookConfig": "ping"}).status_code == 404


@pytest.mark.django_db
def test_only_posts_with_an_order_id_are_accepted(client, hook_enabled):
    assert client.get(HOOK, headers={HEADER: SECRET}).status_code == 405
    assert post(client, {"State": "handling"}).status_code == 400
    assert (
        client.post(
            HOOK, "not json", content_type="application/json", headers={HEADER: SECRET}
        ).status_code
        == 400
    )


@pytest.mark.django_db
def test_a_broker_that_cannot_take_the_task_gets_vtex_to_retry(client, hook_enabled, monkeypatch):
    def broker_down(**kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr("orders.tasks.order_sync_task.apply_async", broker_down)

    assert post(client, {"OrderId": "1-01"}).status_code == 503


@pytest.mark.django_db(transaction=True)
def test_vtex_pings_then_notifies_and_the_order_is_mirrored_within_5_seconds(
    vtex_sandbox, live_server, hook_enabled, celery_eager, monkeypatch
):
    # The sandbox keeps its hook connection alive, so the live server's request thread
    # outlives the test: its requests must close their database connection when done.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    # Saving the hook makes the sandbox ping our endpoint; it refuses to save otherwise.
    vtex_client().set_hook_config(
        url=f"{live_server.url}{HOOK}", headers={HEADER: SECRET}, statuses=["handling"]
    )
    [order_id] = vtex_sandbox.create_orders(1, status="ready-for-handling")

    vtex_sandbox.set_status(order_id, "handling")

    def deliveries() -> list[dict]:
        return [d for d in vtex_sandbox.hook_deliveries() if d["body"].get("OrderId") == order_id]

    # The eager sync commits the order inside our answer to the sandbox, which records the
    # delivery only once it has the answer: wait for both.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (
        Order.objects.filter(vtex_order_id=order_id).exists() and deliveries()
    ):
        time.sleep(0.05)
    order = Order.objects.get(vtex_order_id=order_id)
    assert order.status == "handling"
    event = OrderEvent.objects.get(order=order)
    assert (event.type, event.source) == (EventType.IMPORTED, "hook")
    assert [d["status"] for d in deliveries()] == [200]


@pytest.mark.django_db
def test_a_body_over_4_kb_is_refused_with_413_and_nothing_is_queued(client, hook_enabled, queued):
    body = {**notification("1234567890123-01"), "padding": "x" * 4096}

    response = post(client, body)

    assert response.status_code == 413
    assert response.json() == {"error": "body larger than 4096 bytes"}
    assert queued == []
    # A notification as VTEX sends it is far below the bound.
    assert post(client, notification("1234567890123-01")).status_code == 200


@pytest.mark.parametrize(
    "order_id",
    [
        pytest.param("1" * 62 + "-01", id="65-characters"),
        pytest.param("1234567890123-01\nINFO forged log line", id="newline"),
        pytest.param("1234567890123-01 OR 1=1", id="space"),
        pytest.param("../../api/oms/pvt/orders", id="path"),
        pytest.param("<script>alert(1)</script>", id="markup"),
        pytest.param("-01", id="leading-hyphen"),
        pytest.param("pedido-ção-01", id="non-ascii"),
    ],
)
@pytest.mark.django_db
def test_an_order_id_too_long_or_with_other_characters_is_refused(
    client, hook_enabled, queued, order_id
):
    response = post(client, notification(order_id))

    assert response.status_code == 400
    assert "OrderId is not a VTEX order id" in response.json()["error"]
    assert queued == []


@pytest.mark.parametrize(
    "order_id", ["1172452900788-01", "v502556llux-01", "00-v502556llux-01", "1" * 61 + "-01"]
)
@pytest.mark.django_db
def test_vtex_order_ids_of_every_documented_form_are_queued(client, hook_enabled, queued, order_id):
    assert post(client, notification(order_id)).json() == {"queued": order_id}
    assert [kwargs["vtex_order_id"] for kwargs in queued] == [order_id]


@pytest.mark.django_db
def test_json_nested_too_deep_is_a_400_not_a_500(client, hook_enabled, queued):
    response = client.post(
        HOOK, "[" * 2000 + "]" * 2000, content_type="application/json", headers={HEADER: SECRET}
    )

    assert response.status_code == 400
    assert queued == []


@pytest.mark.django_db
def test_a_replayed_notification_queues_one_sync_while_it_waits(client, hook_enabled, queued):
    order_id, other_id = "1234567890123-01", "1234567890124-01"

    answers = [post(client, notification(order_id)) for _ in range(5)]
    answers.append(post(client, notification(order_id, state="invoiced")))
    other = post(client, notification(other_id))

    assert [answer.status_code for answer in answers] == [200] * 6
    assert answers[0].json() == {"queued": order_id}
    assert {answer.json()["already_queued"] for answer in answers[1:]} == {order_id}
    assert other.json() == {"queued": other_id}
    assert [kwargs["vtex_order_id"] for kwargs in queued] == [order_id, other_id]


@pytest.mark.django_db
def test_an_undated_notification_after_the_sync_ran_queues_again_and_costs_one_read(
    client, hook_enabled, queued, vtex_sandbox
):
    [order_id] = vtex_sandbox.create_orders(1, status="ready-for-handling")
    post(client, undated(order_id))
    post(client, undated(order_id))
    assert len(queued) == 1
    order_sync_task.apply(kwargs=queued[0]).get()
    order = Order.objects.get(vtex_order_id=order_id)
    items = list(order.items.values_list("pk", flat=True))
    assert items
    events = OrderEvent.objects.count()
    vtex_sandbox.clear_calls()

    assert post(client, undated(order_id)).json() == {"queued": order_id}
    assert post(client, undated(order_id)).json() == {"already_queued": order_id}
    assert len(queued) == 2
    result = order_sync_task.apply(kwargs=queued[1]).get()

    # Nothing changed in VTEX: one GET, no event, the same rows.
    assert [(call["method"], call["path"]) for call in vtex_sandbox.calls()] == [
        ("GET", f"/api/oms/pvt/orders/{order_id}")
    ]
    assert (result["created"], result["status_changed"]) == (False, False)
    assert OrderEvent.objects.count() == events
    assert list(order.items.values_list("pk", flat=True)) == items
    again = Order.objects.get(pk=order.pk)
    assert (again.status, again.vtex_last_change, again.raw_document) == (
        order.status,
        order.vtex_last_change,
        order.raw_document,
    )
    assert post(client, undated(order_id)).json() == {"queued": order_id}


@pytest.mark.django_db
def test_a_sync_whose_message_was_lost_holds_back_notifications_for_minutes_only(
    client, hook_enabled, queued
):
    order_id = "1234567890123-01"
    post(client, notification(order_id))
    assert post(client, notification(order_id)).json() == {"already_queued": order_id}

    TaskLock.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert post(client, notification(order_id)).json() == {"queued": order_id}
    assert len(queued) == 2


@pytest.mark.django_db
def test_a_broker_failure_lets_the_next_notification_queue_again(client, hook_enabled, monkeypatch):
    def broker_down(**kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr("orders.tasks.order_sync_task.apply_async", broker_down)
    assert post(client, notification("1234567890123-01")).status_code == 503
    queued = []
    monkeypatch.setattr("orders.tasks.order_sync_task.apply_async", lambda **kw: queued.append(kw))

    assert post(client, notification("1234567890123-01")).json() == {"queued": "1234567890123-01"}
    assert len(queued) == 1


@pytest.mark.django_db
def test_the_hook_logs_the_order_id_and_nothing_else_of_the_request(
    client, hook_enabled, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    order_id = "1234567890123-01"
    body = notification(order_id)

    def broker_down(**kwargs):
        raise ConnectionError("cannot reach redis://:broker-password@10.0.0.7:6379/0")

    monkeypatch.setattr("orders.tasks.order_sync_task.apply_async", broker_down)
    assert post(client, body).status_code == 503
    monkeypatch.setattr("orders.tasks.order_sync_task.apply_async", lambda **kw: None)
    assert post(client, body).status_code == 200
    assert post(client, body).status_code == 200
    assert post(client, notification("1-01\nCRITICAL forged")).status_code == 400

    hook_lines = [r for r in caplog.records if r.name == "orders.views"]
    assert len(hook_lines) == 3
    for record in hook_lines:
        assert order_id in record.getMessage()
        assert record.exc_info is None  # no traceback: its text could name anything
    logged = caplog.text
    for secret in (SECRET, "broker-password", "vtexappkey-store-NOTINLOGS", "forged"):
        assert secret not in logged
    assert json.dumps(body) not in logged


@pytest.mark.django_db
def test_fifty_replays_of_a_notification_read_the_order_from_vtex_once(
    client, hook_enabled, vtex_sandbox, celery_eager
):
    [order_id] = vtex_sandbox.create_orders(1, status="ready-for-handling")
    vtex_sandbox.set_status(order_id, "handling")
    document = vtex_sandbox.order(order_id)["order"]
    # The notification VTEX sent for this change: CurrentChange is the order's lastChange now.
    body = {**notification(order_id), "CurrentChange": document["lastChange"]}
    vtex_sandbox.clear_calls()

    answers = [post(client, body) for _ in range(50)]

    assert [answer.status_code for answer in answers] == [200] * 50
    assert answers[0].json() == {"queued": order_id}
    assert {answer.json().get("up_to_date") for answer in answers[1:]} == {order_id}
    reads = vtex_sandbox.calls(method="GET", path_contains=f"/api/oms/pvt/orders/{order_id}")
    assert len(reads) == 1
    assert Order.objects.get(vtex_order_id=order_id).status == "handling"
    assert OrderEvent.objects.filter(order__vtex_order_id=order_id).count() == 1


@pytest.fixture
def handed(monkeypatch):
    """Everything the hook hands to the broker, countdown included (nothing runs)."""
    sent: list[dict] = []
    monkeypatch.setattr("orders.tasks.order_sync_task.apply_async", lambda **kw: sent.append(kw))
    return sent


@pytest.mark.django_db
def test_a_newer_change_of_a_mirrored_order_is_queued_and_an_older_one_is_not(
    client, hook_enabled, handed, settings
):
    settings.ORDERS_HOOK_COALESCE_SECONDS = 0
    order = OrderFactory(vtex_last_change=timezone.now() - timedelta(hours=1))
    mirrored = order.vtex_last_change.isoformat()
    newer = (order.vtex_last_change + timedelta(seconds=5)).isoformat()
    older = (order.vtex_last_change - timedelta(minutes=5)).isoformat()
    before = {**notification(order.vtex_order_id), "LastChange": older}

    assert post(client, {**before, "CurrentChange": mirrored}).json() == {
        "up_to_date": order.vtex_order_id
    }
    # Without CurrentChange (the guide's example omits it): a LastChange older than the
    # mirror's means the mirror holds the change after it.
    assert post(client, {**before, "CurrentChange": None}).json() == {
        "up_to_date": order.vtex_order_id
    }
    assert handed == []
    assert post(client, {**before, "CurrentChange": newer}).json() == {
        "queued": order.vtex_order_id
    }
    assert len(handed) == 1


@pytest.mark.django_db
def test_undated_notifications_for_an_order_just_read_queue_one_sync_after_the_period(
    client, hook_enabled, handed, settings
):
    settings.ORDERS_HOOK_COALESCE_SECONDS = 30
    order = OrderFactory(synced_at=timezone.now() - timedelta(seconds=10))
    undated = {"Domain": "Fulfillment", "OrderId": order.vtex_order_id, "State": "handling"}

    answers = [post(client, undated).json() for _ in range(20)]

    assert answers[0] == {"queued": order.vtex_order_id}
    assert answers[1:] == [{"already_queued": order.vtex_order_id}] * 19
    [sent] = handed
    # Read again 30 s after the last read: about 20 s from now.
    assert 15 < sent["countdown"] <= 20
