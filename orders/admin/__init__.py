from orders.admin import actions, audit, invoices, orders

__all__ = ["actions", "audit", "invoices", "orders"]
