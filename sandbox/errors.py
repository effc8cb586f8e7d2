"""VTEX's error envelope and the codes the sandbox answers with.

VTEX documents only a few codes (``1`` unauthorized, ``OMS003`` wrong state for
start-handling, ``OMS007`` order not found). Where VTEX's code is not public the
sandbox uses its own ``SBX-...`` codes so a client can tell refusals apart; they
are listed in ``sandbox/README.md``.
"""

from __future__ import annotations


class ApiError(Exception):
    """Raised by a handler; the app turns it into ``{"error": {...}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def envelope(self) -> dict:
        return error_envelope(self.code, self.message)


def error_envelope(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message, "exception": None}}


UNAUTHORIZED = ("1", "Unauthorized access")
ORDER_NOT_FOUND = ("OMS007", "Order Not Found")
START_HANDLING_WRONG_STATUS = (
    "OMS003",
    "Order status should be ready-for-handling to perform this action",
)


def bad_request(message: str, code: str = "SBX-BAD-REQUEST") -> ApiError:
    return ApiError(400, code, message)


def order_not_found() -> ApiError:
    return ApiError(404, *ORDER_NOT_FOUND)
