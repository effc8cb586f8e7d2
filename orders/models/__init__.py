from orders.models.audit import Actor, EventType, OrderEvent
from orders.models.invoices import Invoice, InvoiceItem, InvoiceType, TrackingEvent
from orders.models.locks import TaskLock
from orders.models.order import AT_MARKETPLACE, Order, OrderItem, OrderOrigin

__all__ = [
    "AT_MARKETPLACE",
    "Actor",
    "EventType",
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
