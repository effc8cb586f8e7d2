from orders.admin import actions, audit, commands, orders

__all__ = ["actions", "audit", "commands", "orders"]
