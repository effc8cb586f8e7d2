"""The permissions on ``Order`` the operations need (each operation module's entries name
theirs; the groups get them through ``OrdersConfig.group_permissions``)."""

START_HANDLING = ("orders.start_handling_order",)
INVOICE = ("orders.invoice_order",)
TRACK = ("orders.track_order",)
CANCEL = ("orders.cancel_order",)
CHANGE = ("orders.register_order_change",)
REFRESH = ("orders.refresh_order",)
