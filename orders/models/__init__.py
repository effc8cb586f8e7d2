from orders.models.audit import Actor, EventType, OrderEvent
from orders.models.changes import OPEN_CHANGE_STATUSES, ChangeStatus, OrderChange
from orders.models.invoices import Invoice, InvoiceItem, InvoiceType, TrackingEvent
from orders.models.locks import TaskLock
from orders.models.order import Order, OrderItem, OrderOrigin

__all__ = [
    "OPEN_CHANGE_STATUSES",
    "Actor",
    "ChangeStatus",
    "EventType",
    "Invoice",
    "InvoiceItem",
    "InvoiceType",
    "Order",
    "OrderChange",
    "OrderEvent",
    "OrderItem",
    "OrderOrigin",
    "TaskLock",
    "TrackingEvent",
]
