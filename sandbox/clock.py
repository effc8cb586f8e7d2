"""The sandbox's time, and timestamps and identifiers in the shapes VTEX uses on the wire.

The sandbox reads the time through one clock that runs with the machine's but can be moved
forward through the control API (``POST /_sandbox/clock``): a test waits for a feed item's
visibility timeout, a transient status's delay or a rate-limit window by advancing the clock
instead of sleeping. There is one clock per process (every module's ``utcnow`` reads it);
``POST /_sandbox/reset`` puts it back on the machine's time. It never runs backwards, so the
deadlines the sandbox keeps (``monotonic``) stay ordered.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

# Far enough for any test of a delay or a retention period; near enough that dates stay valid.
MAX_OFFSET_SECONDS = 100 * 365 * 24 * 3600


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0

    @property
    def offset(self) -> float:
        """Seconds the sandbox runs ahead of the machine."""
        return self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self._offset)

    def monotonic(self) -> float:
        """For deadlines and durations inside the sandbox (``time.monotonic`` moved along)."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._move(self._offset + seconds)

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (aware); refused when it is earlier than the sandbox's now."""
        with self._lock:
            offset = (moment - datetime.now(UTC)).total_seconds()
            if offset < self._offset:
                raise ValueError("the sandbox clock only moves forward")
            self._move(offset)

    def _move(self, offset: float) -> None:
        if offset > MAX_OFFSET_SECONDS:
            raise ValueError("the sandbox clock moves at most 100 years ahead of the machine's")
        self._offset = offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0


clock = Clock()


def utcnow() -> datetime:
    return clock.now()


def monotonic() -> float:
    return clock.monotonic()


def vtex_datetime(moment: datetime) -> str:
    """ISO 8601 with a 7-digit fraction and an explicit offset, as OMS writes dates.

    Example: ``2019-02-08T13:16:13.4617650+00:00`` (VTEX's .NET ticks give 7 digits;
    Python's ``datetime.fromisoformat`` reads them since 3.11).
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0+00:00"


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date sent by a client; naive values are taken as UTC."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def receipt() -> str:
    """A receipt/protocol code: 32 lowercase hex digits, like VTEX's."""
    return uuid.uuid4().hex


def event_id() -> str:
    return uuid.uuid4().hex.upper()
