"""Folding the order status tally (orders.models.tallies) back to one row per status."""

from __future__ import annotations

from django.db import connection

from orders.models import OrderStatusTally

# Deleting and re-inserting in one statement: rows a concurrent compaction already folded are
# skipped (deleted under it), and rows of transactions not yet committed are left for the
# next run, so no change is counted twice or lost.
COMPACT = f"""
WITH folded AS (DELETE FROM {OrderStatusTally._meta.db_table} RETURNING status, delta)
INSERT INTO {OrderStatusTally._meta.db_table} (status, delta)
SELECT status, sum(delta) FROM folded GROUP BY status HAVING sum(delta) <> 0
"""  # noqa: S608 (the model's own table name)


def order_status_tally_compact() -> None:
    """One row per status again (PostgreSQL; elsewhere the tally is empty)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(COMPACT)
