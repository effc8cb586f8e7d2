"""imports/0006: the batches that ended before batches dropped their file lose it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_ended_batches_lose_their_file_and_open_ones_keep_it():
    apps = migrate([("imports", "0005_batch_activity_and_resumes")])
    ImportBatch = apps.get_model("imports", "ImportBatch")
    erp_file = b"pedido;cpf_cliente;email\n1500000001-01;529.982.247-25;ana@example.com\n"
    statuses = ["imported", "nothing-imported", "discarded", "failed", "checked", "importing"]
    for status in statuses:
        ImportBatch.objects.create(
            kind="invoices", file_name="erp.csv", content=erp_file, status=status
        )

    apps = migrate([("imports", "0006_drop_files_of_ended_batches")])
    ImportBatch = apps.get_model("imports", "ImportBatch")
    kept = {batch.status: bytes(batch.content) for batch in ImportBatch.objects.all()}
    assert kept == {
        "imported": b"",
        "nothing-imported": b"",
        "discarded": b"",
        "failed": b"",
        "checked": erp_file,
        "importing": erp_file,
    }
    migrate(executor_leaf())


def executor_leaf():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
