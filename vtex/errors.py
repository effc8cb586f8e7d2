"""Typed errors raised by the VTEX client.

Callers branch on the class (the outbox shows a ``VtexRejected`` to operators, retries a
``VtexTransientError``, waits out a ``VtexRateLimited``), so every non-2xx answer and every
network failure ends up as exactly one of these.
"""

from __future__ import annotations

from typing import Any


class VtexError(Exception):
    """Base of every client error; ``message`` never carries credentials."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.method = method
        self.path = path

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
            f"code={self.code!r}, method={self.method!r}, path={self.path!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Celery and multiprocessing pickle exceptions; the default reduce would call the
        # class with the message alone and lose the keyword-only attributes.
        return (type(self), (self.message,), self.__dict__)


class VtexAuthError(VtexError):
    """401/403: wrong AppKey/AppToken, or the key lacks the License Manager resource."""


class VtexNotFound(VtexError):
    """404: the order, invoice, SKU binding or feed configuration does not exist."""


class VtexRejected(VtexError):
    """Any other 4xx: VTEX refused the request; ``code`` is VTEX's (``OMS003``...)."""


class VtexTransientError(VtexError):
    """5xx, timeout or dropped connection: the same request may succeed later."""


class VtexRateLimited(VtexError):
    """429, or a call refused locally because the process is paused by an earlier 429."""

    def __init__(self, message: str, *, retry_after: float = 0.0, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, retry_after={self.retry_after!r})"
