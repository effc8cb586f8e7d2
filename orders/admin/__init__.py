from orders.admin import actions, audit, groups, orders, periodic

__all__ = ["actions", "audit", "groups", "orders", "periodic"]
