"""The feed drain's queries on a fresh PostgreSQL database: their plans must not depend on
statistics ANALYZE has not gathered yet (the first drain is as fast as the tenth).

Counted, not timed: every query ``order_changes_follow`` runs for a feed batch is
EXPLAIN ANALYZEd, and its plan may read the mirror once (a sequential scan is the cheaper
plan for a small table; a large one is read through the index), never once per order of the
batch (the nested loop a join got on a fresh database: 1,500 orders read 1,500 times).
"""

from __future__ import annotations

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Order
from orders.services.changes import order_changes_follow
from tests.orders.factories import OrderFactory

MIRRORED = 1500
BATCH = 10


def rows_read(plan: dict) -> int:
    """Rows every node of ``plan`` produced or filtered out, over all its loops."""
    loops = plan.get("Actual Loops", 1)
    own = (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * loops
    return own + sum(rows_read(child) for child in plan.get("Plans", []))


def test_following_a_batchs_order_changes_reads_the_mirror_once_at_most(require_postgres):
    Order.objects.bulk_create(OrderFactory.build() for _ in range(MIRRORED))
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'orders_order'")
        [(reltuples,)] = cursor.fetchall()
    # What a fresh database looks like: the mirror was loaded, ANALYZE has not run.
    assert reltuples < MIRRORED / 10
    batch = list(Order.objects.order_by("?").values_list("vtex_order_id", flat=True)[:BATCH])

    with CaptureQueriesContext(connection) as captured:
        order_changes_follow(vtex_order_ids=batch)

    assert captured.captured_queries
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {query['sql']}")
            [(document,)] = cursor.fetchall()
            plan = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
            assert rows_read(plan) <= 2 * MIRRORED, (query["sql"], json.dumps(plan, indent=1))
