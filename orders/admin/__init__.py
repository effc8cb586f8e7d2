from orders.admin import audit, orders

__all__ = ["audit", "orders"]
