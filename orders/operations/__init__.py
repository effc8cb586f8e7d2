"""The operator operations on orders, one module each (its refusal rule, its service, its form
and its ``OPERATIONS`` entries), collected by ``orders.operations.table``; what their services
share is ``orders.operations.common``. See docs/orders-operations.md."""
