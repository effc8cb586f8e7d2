"""Importing orders: mirror VTEX's documents, then the automatic steps that follow an import.

Every import path (the feed, the backfill and reconciliation, the hook, the re-read after
a command) comes through here. The mirror itself (``orders.services.sync``) only mirrors;
what operators configured to happen on import (start handling orders that arrive ready for
handling, with ``VTEX_AUTO_START_HANDLING``) is an explicit step after it, in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from core.actor import Actor
from core.vtex import vtex_client
from orders.models import Order
from orders.operations.start_handling import order_start_handling_after_import
from orders.services.sync import Document, SyncResult, orders_upsert_from_documents
from orders.status import OrderStatus
from vtex import VtexClient


def orders_import(*, documents: Sequence[Document], source: Actor | str) -> list[SyncResult]:
    """Upsert the documents' orders, then start handling those that just arrived in (or
    moved to) ready-for-handling, when the setting asks for it."""
    with transaction.atomic():
        results = orders_upsert_from_documents(documents=documents, source=source)
        arrived = [
            result.vtex_order_id
            for result in results
            if (result.created or result.status_changed)
            and result.to_status == OrderStatus.READY_FOR_HANDLING
        ]
        if arrived:
            for order in Order.objects.select_for_update().filter(vtex_order_id__in=arrived):
                order_start_handling_after_import(order=order, source=source)
    return results


def order_sync(
    *, vtex_order_id: str, source: Actor | str, client: VtexClient | None = None
) -> SyncResult:
    """GET the order from VTEX and import it."""
    client = client or vtex_client()
    document = client.get_order(vtex_order_id)
    [result] = orders_import(documents=[document], source=source)
    return result
