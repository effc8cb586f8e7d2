"""The one way to write an audit row (`OrderEvent`)."""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from core.actor import Actor
from orders.models import EventType, Order, OrderEvent


def event_record(
    *,
    order: Order,
    type: EventType | str,
    source: Actor | str,
    actor_user: User | None = None,
    from_status: str = "",
    to_status: str = "",
    receipt: str = "",
    payload: dict[str, Any] | None = None,
) -> OrderEvent:
    """Write one audit row for ``order``.

    Call it inside the transaction that makes the change it records, so the change and
    its audit row are committed (or rolled back) together.
    """
    connection = transaction.get_connection()
    if connection.get_autocommit():
        raise RuntimeError("event_record must run inside the transaction of the change it records")
    return OrderEvent.objects.create(
        order=order,
        type=type,
        source=source,
        actor_user=actor_user,
        from_status=from_status,
        to_status=to_status,
        receipt=receipt or "",
        payload=payload or {},
    )


def events_record_many(*, events: Sequence[OrderEvent]) -> list[OrderEvent]:
    """Write unsaved audit rows in one INSERT, for bulk paths (imports, CSV, bulk updates).

    A bulk write (``bulk_create``, ``QuerySet.update``) calls this in its own transaction,
    which is why the audit is explicit rather than signals: signals never see bulk writes.
    """
    if transaction.get_connection().get_autocommit():
        raise RuntimeError("events_record_many must run inside the transaction of the changes")
    return OrderEvent.objects.bulk_create(events)
