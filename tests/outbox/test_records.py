"""What an attempt records: every attempt, with method, path, status and outcome, and never
the store's credentials, even when VTEX (or a proxy before it) echoes them back."""

import pytest

from outbox.delivery import commands_deliver
from outbox.models import CommandAttempt, CommandState, VtexCommand
from outbox.selectors import outbox_last_delivery
from tests.fixtures.recorder import RecordingServer
from tests.outbox.support import attempts_of, enqueue, time_passes

pytestmark = pytest.mark.django_db


def test_credentials_echoed_by_vtex_are_never_recorded(vtex_store, groups, settings):
    alpha, beta = groups
    settings.VTEX_COMMAND_MAX_ATTEMPTS = 2
    secrets = (vtex_store.app_key, vtex_store.app_token)

    def echo(request: dict) -> tuple[int, object]:
        headers = request["headers"]
        pair = f"{headers['X-Vtex-Api-Appkey']}/{headers['X-Vtex-Api-Apptoken']}"
        if request["method"] == "GET":
            status = 404  # the re-read finds nothing applied (a 5xx would be retried, slowly)
        else:
            status = 400 if "/refused/" in request["path"] else 500
        return status, {
            "error": {"code": "E1", "message": f"bad pair {pair}", "exception": headers}
        }

    server = RecordingServer(echo)
    settings.VTEX_BASE_URL = server.url
    try:
        refused = enqueue(alpha, "refused")
        failing = enqueue(beta, "failing")
        for _round in range(3):
            commands_deliver()
            time_passes(3600)
    finally:
        server.close()

    # The credentials did go out (VTEX needs them) and came back in every answer.
    assert server.requests and all(secrets[1] in str(r["headers"]) for r in server.requests)
    refused.refresh_from_db()
    failing.refresh_from_db()
    assert (refused.state, failing.state) == (CommandState.REJECTED, CommandState.DEAD)
    assert attempts_of(refused) == [("POST", 400, "rejected")]
    # The failed write's retry read the order first (nothing applied), then sent it again.
    assert attempts_of(failing) == [("POST", 500, "failed"), ("POST", 500, "failed")]
    assert [r["method"] for r in server.requests if "failing" in r["path"]] == [
        "POST",
        "GET",
        "POST",
    ]
    assert refused.last_error_message == failing.last_error_message == "bad pair ***/***"
    attempts = list(CommandAttempt.objects.values())
    assert all("***" in attempt["response_body"] for attempt in attempts)
    stored = str(attempts) + str(list(VtexCommand.objects.values()))
    for secret in secrets:
        assert secret not in stored


def test_every_attempt_is_recorded_and_tells_when_a_worker_last_took_commands(vtex_store, groups):
    alpha, _beta = groups
    [order_id] = vtex_store.create_orders(1)
    assert outbox_last_delivery().last_attempt_at is None
    vtex_store.set_faults(rate_503=1.0, paths=["/api/oms/pvt/orders/"], methods=["POST"])
    command = enqueue(alpha, order_id)
    assert outbox_last_delivery().due == 1

    commands_deliver()
    vtex_store.clear_faults()
    time_passes(3600)
    commands_deliver()

    rows = list(command.attempt_log.order_by("pk"))
    assert [(r.method, r.response_status, r.outcome) for r in rows] == [
        ("POST", 503, "failed"),
        ("POST", 204, "succeeded"),
    ]
    assert all(r.path == f"/api/oms/pvt/orders/{order_id}/start-handling" for r in rows)
    assert rows[0].error_code == "503" and rows[1].error_code == ""
    delivery = outbox_last_delivery()
    assert (delivery.due, delivery.last_attempt_at) == (0, rows[-1].attempted_at)
