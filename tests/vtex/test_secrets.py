"""The AppKey and AppToken never reach a log line or an exception, whatever goes wrong; every
call is logged with method, path, status and duration instead."""

import logging
import re
import traceback
from collections.abc import Callable

import pytest

from tests.fixtures.recorder import RecordingServer
from tests.vtex.support import make_config, new_order
from vtex import (
    OrderRef,
    VtexAuthError,
    VtexClient,
    VtexError,
    VtexNotFound,
    VtexRateLimited,
    VtexRejected,
    VtexTransientError,
)
from vtex.process import rate_limit_pause

WRONG_TOKEN = "wrong-apptoken-4f8e2c9d"


@pytest.fixture
def all_logs(caplog):
    # Root, the client and urllib3 (which logs every request line at DEBUG).
    caplog.set_level(logging.DEBUG)
    for name in ("vtex", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _texts_of(error: BaseException) -> list[str]:
    return [str(error), repr(error), "".join(traceback.format_exception(error))]


def _failure(call: Callable[[], object]) -> VtexError:
    with pytest.raises(VtexError) as caught:
        call()
    return caught.value


def test_no_credentials_in_logs_or_errors_of_any_kind(make_client, sandbox, all_logs):
    secrets = (sandbox.app_key, sandbox.app_token, WRONG_TOKEN)
    client = make_client(timeout=0.2, get_retries=1)
    order_id = new_order(sandbox)
    errors: list[VtexError] = []

    client.get_order(order_id)
    errors.append(_failure(lambda: make_client(app_token=WRONG_TOKEN).get_order(order_id)))
    errors.append(_failure(lambda: client.get_order("404-01")))
    client.start_handling(order_id)
    errors.append(_failure(lambda: client.start_handling(order_id)))
    for faults in ({"rate_500": 1.0}, {"rate_503": 1.0}, {"drop_rate": 1.0}, {"latency_ms": 400}):
        sandbox.set_faults(**faults)
        errors.append(_failure(lambda: client.get_order(order_id)))
        errors.append(_failure(lambda: client.cancel_order(order_id, reason="x")))
    sandbox.set_faults(rate_429=1.0, retry_after=5)
    errors.append(_failure(lambda: client.cancel_order(order_id, reason="x")))
    errors.append(_failure(lambda: client.cancel_order(order_id, reason="x")))  # paused locally
    rate_limit_pause.clear()
    errors.append(
        _failure(lambda: client.cancel_order(OrderRef("1-01", "https://evil.example"), reason="x"))
    )

    kinds = {type(error) for error in errors}
    assert kinds == {VtexAuthError, VtexNotFound, VtexRejected, VtexTransientError, VtexRateLimited}
    texts = [text for error in errors for text in _texts_of(error)]
    logged = [all_logs.text, *(record.getMessage() for record in all_logs.records)]
    assert any("urllib3" in record.name for record in all_logs.records)
    for secret in secrets:
        assert not [text for text in texts if secret in text], secret
        assert not [line for line in logged if secret in line], secret


def test_credentials_echoed_by_vtex_are_masked(sandbox, all_logs):
    def echo_headers(request: dict) -> tuple[int, object]:
        headers = request["headers"]
        message = f"bad pair {headers['X-Vtex-Api-Appkey']}/{headers['X-Vtex-Api-Apptoken']}"
        return 400, {"error": {"code": "X1", "message": message, "exception": None}}

    echo = RecordingServer(echo_headers)
    try:
        client = VtexClient(make_config(sandbox, base_url=echo.url))
        error = _failure(lambda: client.start_handling("1-01"))
    finally:
        echo.close()

    assert isinstance(error, VtexRejected)
    assert str(error) == "POST /api/oms/pvt/orders/1-01/start-handling: 400 X1 bad pair ***/***"
    for secret in (sandbox.app_key, sandbox.app_token):
        assert all(secret not in text for text in _texts_of(error))
        assert secret not in all_logs.text


def test_each_call_is_logged_with_method_path_status_and_duration(client, sandbox, all_logs):
    order_id = new_order(sandbox)

    client.get_order(order_id)
    client.start_handling(order_id)

    lines = [r.getMessage() for r in all_logs.records if r.name == "vtex.client"]
    assert re.fullmatch(rf"vtex GET /api/oms/pvt/orders/{order_id} -> 200 in \d+ ms", lines[0])
    assert re.fullmatch(
        rf"vtex POST /api/oms/pvt/orders/{order_id}/start-handling -> 204 in \d+ ms", lines[1]
    )
    levels = [r.levelno for r in all_logs.records if r.name == "vtex.client"]
    assert levels == [logging.DEBUG, logging.INFO]
