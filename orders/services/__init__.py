"""Every write of the orders app, as functions: one module per area (docs/orders-app-layout.md)."""

from orders.services import audit, backfill, feed, sync

__all__ = ["audit", "backfill", "feed", "sync"]
