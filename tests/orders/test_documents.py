"""Reading a GetOrder document into the mirror's columns is pure: no database (this module
has no ``django_db`` mark, so any query would fail the test), the caller's document untouched."""

import copy
import json
from datetime import date

from orders.documents import Incoming, document_mask, package_rows
from tests.orders.documents import vtex_order_document, vtex_package


def test_a_document_reads_into_columns_without_the_database():
    package = vtex_package(
        "NF1",
        tracking=[{"city": "Recife", "state": "PE", "description": "Saiu", "date": "2026-11-27"}],
    )
    document = vtex_order_document(status="invoiced", packages=[package])
    before = copy.deepcopy(document)

    entry = Incoming.read(document)
    rows = package_rows(package, entry.items)

    assert document == before
    assert (entry.vtex_order_id, entry.fields["status"]) == (document["orderId"], "invoiced")
    assert entry.items and entry.items[0]["sku_id"]
    assert rows.key == ("Output", "NF1")
    assert [event["occurred_at"] for event in rows.tracking] == [date(2026, 11, 27)]
    stored = json.dumps(entry.fields["raw_document"], ensure_ascii=False)
    assert document["clientProfileData"]["email"] not in stored
    assert document_mask(document)["clientProfileData"]["email"] == "***"
