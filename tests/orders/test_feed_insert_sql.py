"""The mirror's bulk insert of orders on PostgreSQL binds each document row by row: an
``UNNEST`` of a jsonb[] array costs a regex substitution per double quote of every document
on the client (a fifth of the feed drain's time)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.actor import Actor
from orders.documents import Incoming
from orders.models import Order
from orders.services.sync import orders_upsert_from_documents
from tests.orders.documents import vtex_order_document


def test_new_orders_are_inserted_with_their_documents_bound_row_by_row(require_postgres):
    documents = [vtex_order_document(f"14000000{n:02d}-01") for n in range(5)]

    with CaptureQueriesContext(connection) as captured:
        orders_upsert_from_documents(documents=documents, source=Actor.FEED)

    inserts = [q["sql"] for q in captured if q["sql"].startswith('INSERT INTO "orders_order"')]
    assert len(inserts) == 1
    assert "UNNEST" not in inserts[0]
    stored = Order.objects.get(vtex_order_id="1400000003-01").raw_document
    assert stored["orderId"] == "1400000003-01"
    assert stored == Incoming.read(documents[3]).fields["raw_document"]
