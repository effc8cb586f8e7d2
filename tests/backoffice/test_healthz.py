"""``/healthz``: database, broker, the feed's last successful drain and VTEX, without a login,
200 when all are up and 503 when one is down, and never a secret."""

import json

import pytest
from django.core.cache import cache

from orders.services.feed import feed_drain

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_vtex_answer_kept():
    # Each test asks VTEX afresh: /healthz keeps VTEX's answer for HEALTHZ_VTEX_CACHE_SECONDS.
    cache.clear()
    yield
    cache.clear()


def health(client) -> tuple[int, dict]:
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def test_everything_up_answers_200_without_a_login(client, vtex_sandbox):
    feed_drain()

    status, body = health(client)

    assert status == 200, body
    assert body["ok"] is True
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "broker": True,
        "feed": True,
        "vtex": True,
        "outbox": True,
    }
    assert body["checks"]["feed"]["seconds_behind"] < 60


def test_the_sandbox_stopped_answers_503_and_names_vtex(client, vtex_sandbox, sandbox_server):
    feed_drain()
    sandbox_server.stop()

    status, body = health(client)

    assert status == 503
    assert body["ok"] is False
    assert body["checks"]["vtex"] == {"ok": False, "error": "unreachable", "status": None}
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]


def test_credentials_vtex_refuses_answer_503_and_show_no_secret(client, vtex_sandbox, settings):
    feed_drain()
    settings.VTEX_APP_TOKEN = "a-wrong-token-that-must-not-show"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"]["vtex"] == {"ok": False, "error": "credentials refused", "status": 401}
    for secret in (settings.VTEX_APP_TOKEN, settings.VTEX_APP_KEY, settings.SECRET_KEY):
        assert secret not in response.content.decode()


def test_a_feed_never_drained_or_drained_long_ago_answers_503(client, vtex_sandbox, settings):
    status, body = health(client)
    assert status == 503
    assert body["checks"]["feed"]["ok"] is False

    feed_drain()
    settings.FEED_STALE_MINUTES = 0
    status, body = health(client)
    assert status == 503
    assert body["checks"]["feed"]["ok"] is False
    assert body["checks"]["vtex"]["ok"] is True


def test_a_broker_out_of_reach_answers_503_without_its_url(client, vtex_sandbox, monkeypatch):
    feed_drain()
    # A Redis broker on a port nothing listens on, with a password that must not show (Celery
    # reads CELERY_BROKER_URL from the environment before its configuration).
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://:hunter2secret@127.0.0.1:9/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["vtex"]["ok"] and body["checks"]["database"]["ok"]
    assert "hunter2secret" not in response.content.decode()
    assert "127.0.0.1:9" not in response.content.decode()


def test_commands_due_for_long_with_no_attempt_answer_503(client, vtex_sandbox):
    from datetime import timedelta

    from django.utils import timezone

    from outbox.models import VtexCommand
    from tests.orders.factories import OrderFactory

    feed_drain()
    order = OrderFactory()
    command = VtexCommand.objects.create(
        subject=order, source="admin", kind="refresh", key=f"{order.vtex_order_id}:refresh"
    )
    assert health(client)[0] == 200  # just queued
    VtexCommand.objects.filter(pk=command.pk).update(
        created_at=timezone.now() - timedelta(minutes=30)
    )

    status, body = health(client)

    assert status == 503
    assert body["checks"]["outbox"]["ok"] is False
    assert body["checks"]["outbox"]["due"] == 1
    assert body["checks"]["outbox"]["oldest_due_seconds"] >= 30 * 60


def test_a_flood_of_requests_asks_vtex_once(client, vtex_sandbox):
    feed_drain()
    vtex_sandbox.clear_calls()

    statuses = [health(client)[0] for _ in range(20)]

    assert statuses == [200] * 20
    assert len(vtex_sandbox.calls(path_contains="/api/orders/feed/config")) == 1
