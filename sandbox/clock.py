"""Timestamps and identifiers in the shapes VTEX uses on the wire."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


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
