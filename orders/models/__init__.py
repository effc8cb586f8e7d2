from orders.models.audit import EventType, OrderEvent
from orders.models.changes import OPEN_CHANGE_STATUSES, ChangeStatus, OrderChange
from orders.models.feed import ORDERS_FEED, FeedHealth, FeedOutcome
from orders.models.invoices import Invoice, InvoiceItem, InvoiceType, TrackingEvent
from orders.models.order import (
    AT_MARKETPLACE,
    AWAITING_DELIVERY,
    AWAITING_TRACKING,
    CANCELED_STATUSES,
    Order,
    OrderItem,
    OrderOrigin,
)
from orders.models.tallies import OrderStatusTally

__all__ = [
    "AT_MARKETPLACE",
    "AWAITING_DELIVERY",
    "AWAITING_TRACKING",
    "CANCELED_STATUSES",
    "OPEN_CHANGE_STATUSES",
    "ORDERS_FEED",
    "ChangeStatus",
    "EventType",
    "FeedHealth",
    "FeedOutcome",
    "Invoice",
    "InvoiceItem",
    "InvoiceType",
    "Order",
    "OrderChange",
    "OrderEvent",
    "OrderItem",
    "OrderOrigin",
    "OrderStatusTally",
    "TrackingEvent",
]
