from orders.admin import actions, audit, orders

__all__ = ["actions", "audit", "orders"]
