from orders.admin import actions, audit, groups, invoices, orders, periodic

__all__ = ["actions", "audit", "groups", "invoices", "orders", "periodic"]
