"""Every write of the orders app, as functions: one module per area (docs/orders-app-layout.md).
The operator operations' services are in ``orders.operations``, one module each. Nothing is
imported here: a module imports the one it needs (an eager import of every submodule would
load ``orders.services.changes`` while ``orders.operations.common`` is half loaded)."""
