"""What one delivery attempt did, as it is recorded (``CommandAttempt``) and decided on.

The HTTP responses the VTEX client receives during an attempt are captured in its thread;
what is stored keeps no credentials (VTEX may echo them), no body of a successful read (an
order document is customer data) and no NF-e XML (kept as its length and SHA-256 only).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from vtex import (
    VtexAuthError,
    VtexClient,
    VtexError,
    VtexNotFound,
    VtexRateLimited,
    VtexRejected,
    VtexTransientError,
)

RESPONSE_BODY_LIMIT = 4000
REQUEST_TEXT_LIMIT = 2000
SECRET_FIELDS = frozenset(
    {"appkey", "apptoken", "x-vtex-api-appkey", "x-vtex-api-apptoken", "authorization", "password"}
)
# The NF-e XML carries the customer's CPF, name and address: never kept in attempt records.
EMBEDDED_XML_FIELDS = frozenset({"embeddedinvoice", "embedded_xml"})


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    # The re-read showed the effect of an earlier attempt whose answer was lost.
    ALREADY_APPLIED = "already-applied"
    REJECTED = "rejected"
    # 5xx, timeout or dropped connection: VTEX may have applied it.
    FAILED = "failed"
    # The connection was never established: VTEX cannot have seen it.
    NOT_SENT = "not-sent"
    RATE_LIMITED = "rate-limited"


@dataclass
class AttemptResult:
    outcome: Outcome
    method: str
    path: str
    request_body: Any = None
    response_status: int | None = None
    response_body: str = ""
    error_code: str = ""
    error_message: str = ""
    receipt: str = ""
    retry_after: float = 0.0
    duration_ms: int = 0
    # VTEX's document read to verify an earlier attempt (when it shows the effect).
    document: dict[str, Any] | None = None
    # What the call answered, for the subject's app once the command settles (not stored).
    answer: Any = None


_capture = threading.local()


def _remember_response(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    sink = getattr(_capture, "responses", None)
    if sink is not None:
        sink.append(response)


@contextmanager
def responses_captured(client: VtexClient) -> Iterator[list[requests.Response]]:
    """Collect the HTTP responses the client receives in this thread (for the attempt log)."""
    hooks = client.session.hooks["response"]
    if _remember_response not in hooks:
        hooks.append(_remember_response)
    captured: list[requests.Response] = []
    _capture.responses = captured
    try:
        yield captured
    finally:
        _capture.responses = None


def result_from_response(
    outcome: Outcome,
    responses: list[requests.Response],
    started: float,
    *,
    fallback: tuple[str, str, Any],
    client: VtexClient,
) -> AttemptResult:
    """The attempt as recorded: VTEX's answer with the credentials masked (VTEX may echo
    them), and no body of a successful read (the order document: customer data)."""
    if not responses:
        method, path, body = fallback
        return AttemptResult(
            outcome=outcome,
            method=method,
            path=path,
            request_body=body,
            duration_ms=elapsed_ms(started),
        )
    response = responses[-1]
    request = response.request
    method = (request.method or "").upper()
    keep_body = not (method == "GET" and response.status_code < 400)
    return AttemptResult(
        outcome=outcome,
        method=method,
        path=urlsplit(request.url or "").path,
        request_body=_request_body(request.body),
        response_status=response.status_code,
        response_body=client.redact(response.text)[:RESPONSE_BODY_LIMIT] if keep_body else "",
        duration_ms=elapsed_ms(started),
    )


def result_from_error(
    exc: VtexError,
    responses: list[requests.Response],
    started: float,
    *,
    payload: dict[str, Any],
    client: VtexClient,
) -> AttemptResult:
    if isinstance(exc, VtexRateLimited):
        outcome = Outcome.RATE_LIMITED
    elif isinstance(exc, VtexRejected | VtexNotFound | VtexAuthError):
        outcome = Outcome.REJECTED
    elif isinstance(exc, VtexTransientError) and _never_reached_vtex(exc):
        outcome = Outcome.NOT_SENT
    else:
        outcome = Outcome.FAILED
    result = result_from_response(
        outcome,
        responses,
        started,
        fallback=(exc.method or "", exc.path or "", jsonable(payload)),
        client=client,
    )
    if not responses:
        result.response_status = None if outcome == Outcome.RATE_LIMITED else exc.status
    result.error_code = str(exc.code or exc.status or type(exc).__name__)
    result.error_message = client.redact(_vtex_message(responses) or exc.message)
    if isinstance(exc, VtexRateLimited):
        result.retry_after = max(float(exc.retry_after), 0.0)
    return result


def _vtex_message(responses: list[requests.Response]) -> str:
    """VTEX's own words from ``{"error": {"message"}}``, for operators."""
    if not responses:
        return ""
    try:
        body = responses[-1].json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error.get("exception") or "")
    return ""


def _never_reached_vtex(exc: VtexTransientError) -> bool:
    """True when the connection itself failed, so VTEX cannot have received the request."""
    cause = exc.__cause__
    if isinstance(cause, requests.ConnectTimeout):
        return True
    if isinstance(cause, requests.ConnectionError) and cause.args:
        reason = getattr(cause.args[0], "reason", None)
        return isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return False


def _request_body(body: bytes | str | None) -> Any:
    if not body:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        return jsonable(json.loads(text))
    except ValueError:
        return text[:REQUEST_TEXT_LIMIT]


def jsonable(value: Any) -> Any:
    """A request body fit for the attempt log: no credentials, and the embedded NF-e XML
    (the customer's document, name and address) only as its length and SHA-256."""
    if isinstance(value, dict):
        return {
            key: "***"
            if key.lower() in SECRET_FIELDS
            else xml_summary(item)
            if key.lower() in EMBEDDED_XML_FIELDS
            else jsonable(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, str) and len(value) > REQUEST_TEXT_LIMIT:
        return value[:REQUEST_TEXT_LIMIT] + "…"
    return value


def xml_summary(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    data = value.encode("utf-8")
    return f"[{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}]"


def elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
