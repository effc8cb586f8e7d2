from orders.models.audit import Actor, EventType, OrderEvent
from orders.models.feed import ORDERS_FEED, FeedHealth, FeedOutcome
from orders.models.invoices import Invoice, InvoiceItem, InvoiceType, TrackingEvent
from orders.models.locks import TaskLock
from orders.models.order import AT_MARKETPLACE, Order, OrderItem, OrderOrigin

__all__ = [
    "AT_MARKETPLACE",
    "ORDERS_FEED",
    "Actor",
    "EventType",
    "FeedHealth",
    "FeedOutcome",
    "Invoice",
    "InvoiceItem",
    "InvoiceType",
    "Order",
    "OrderEvent",
    "OrderItem",
    "OrderOrigin",
    "TaskLock",
    "TrackingEvent",
]
