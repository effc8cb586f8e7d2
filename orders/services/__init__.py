"""Every write of the orders app, as functions: one module per area (docs/orders-app-layout.md).

Import the module you need (``from orders.services.sync import ...``): the package imports
none of them, so that the command kinds, below the selectors, can use the audit without
pulling in the services that read the selectors."""
