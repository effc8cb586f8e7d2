"""Data migrations, run on a database that holds rows from before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

XML = "<nfeProc><dest><CPF>52998224725</CPF><xNome>Joana Silva</xNome></dest></nfeProc>"


def migrate(target: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_stored_documents_lose_their_nfe_xml():
    apps = migrate([("orders", "0004_order_reconciled_at")])
    Order = apps.get_model("orders", "Order")

    def stored(vtex_order_id, packages):
        return Order.objects.create(
            vtex_order_id=vtex_order_id,
            status="invoiced",
            created_at=timezone.now(),
            synced_at=timezone.now(),
            raw_document={"orderId": vtex_order_id, "packageAttachment": {"packages": packages}},
        )

    with_xml = stored(
        "1-01",
        [
            {"invoiceNumber": "NF1", "embeddedInvoice": XML},
            {"invoiceNumber": "NF2", "embeddedInvoice": ""},
        ],
    )
    without_xml = stored("2-01", [{"invoiceNumber": "NF3"}])
    not_invoiced = Order.objects.create(
        vtex_order_id="3-01",
        status="handling",
        created_at=timezone.now(),
        synced_at=timezone.now(),
        raw_document={"orderId": "3-01", "packageAttachment": None},
    )

    apps = migrate([("orders", "0005_mask_embedded_invoice")])
    Order = apps.get_model("orders", "Order")
    packages = Order.objects.get(pk=with_xml.pk).raw_document["packageAttachment"]["packages"]
    assert packages == [
        {"invoiceNumber": "NF1", "embeddedInvoice": "***"},
        {"invoiceNumber": "NF2", "embeddedInvoice": ""},
    ]
    assert Order.objects.get(pk=without_xml.pk).raw_document == without_xml.raw_document
    assert Order.objects.get(pk=not_invoiced.pk).raw_document == not_invoiced.raw_document
    assert Order.objects.count() == 3
    # Leave the database at the latest state for the tests that follow.
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
