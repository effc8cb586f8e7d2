"""Reads shared by the admin, the operations and the tasks, one module per area (the
order's customer, the list's search, the order page, invoicing, the queues, changes). Nothing
is re-exported here: import from the module."""
