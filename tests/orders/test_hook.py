"""The VTEX hook endpoint, called by the sandbox (as VTEX would) and by hand."""

import time

import pytest
from django.db import connections
from django.urls import reverse

from backoffice.celery import app as celery_app
from backoffice.vtex import vtex_client
from orders.models import EventType, Order, OrderEvent

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


@pytest.mark.django_db
def test_the_configuration_ping_gets_a_200(client, hook_enabled):
    assert post(client, {"hookConfig": "ping"}).status_code == 200


@pytest.mark.django_db
def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_queued(
    client, hook_enabled, monkeypatch
):
    queued = []
    monkeypatch.setattr("orders.views.order_sync_task.apply_async", lambda **kw: queued.append(kw))

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

    monkeypatch.setattr("orders.views.order_sync_task.apply_async", broker_down)

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

    deadline = time.monotonic() + 10
    while not Order.objects.filter(vtex_order_id=order_id).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    order = Order.objects.get(vtex_order_id=order_id)
    assert order.status == "handling"
    event = OrderEvent.objects.get(order=order)
    assert (event.type, event.source) == (EventType.IMPORTED, "hook")
    deliveries = [d for d in vtex_sandbox.hook_deliveries() if d["body"].get("OrderId") == order_id]
    assert [d["status"] for d in deliveries] == [200]
