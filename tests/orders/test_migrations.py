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
    # (app, None) is "no migration of that app": no node of the state.
    return executor.loader.project_state([node for node in target if node[1]]).apps


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


@pytest.mark.django_db(transaction=True)
def test_the_outbox_moves_to_its_own_app_with_every_command_attempt_and_permission():
    try:
        _outbox_move_checked()
    finally:
        # Leave the database at the latest state for the tests that follow.
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _outbox_move_checked():
    apps = migrate([("orders", "0005_mask_embedded_invoice"), ("outbox", None)])
    Order = apps.get_model("orders", "Order")
    Command = apps.get_model("orders", "VtexCommand")
    Attempt = apps.get_model("orders", "CommandAttempt")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    order = Order.objects.create(
        vtex_order_id="1-01", status="handling", created_at=timezone.now(), synced_at=timezone.now()
    )
    sent = Command.objects.create(
        order=order,
        kind="invoice",
        key="1-01:invoice:NF1",
        state="succeeded",
        attempts=3,
        payload={"number": "NF1"},
        receipt="r-1",
        source="admin",
    )
    waiting = Command.objects.create(
        order=order,
        kind="tracking-number",
        key="1-01:invoice:NF1:tracking:BR1",
        state="retrying",
        attempts=2,
        source="admin",
    )
    for outcome in ("failed", "failed", "succeeded"):
        Attempt.objects.create(command=sent, method="POST", path="/invoice", outcome=outcome)
    Attempt.objects.create(command=waiting, method="PATCH", path="/tracking", outcome="failed")
    held = {"retry_vtexcommand", "start_handling_order", "view_vtexcommand", "view_order"}
    operators = Group.objects.create(name="Operators of the test")
    operators.permissions.set(Permission.objects.filter(codename__in=held))
    assert set(operators.permissions.values_list("codename", flat=True)) == held

    apps = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    Command = apps.get_model("outbox", "VtexCommand")
    Attempt = apps.get_model("outbox", "CommandAttempt")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    order_type = ContentType.objects.get(app_label="orders", model="order")
    commands = {command.key: command for command in Command.objects.all()}
    assert set(commands) == {sent.key, waiting.key}
    moved = commands[sent.key]
    assert (moved.subject_type_id, moved.subject_id) == (order_type.pk, order.pk)
    assert (moved.state, moved.attempts, moved.failures, moved.receipt) == (
        "succeeded",
        3,
        2,
        "r-1",
    )
    assert (commands[waiting.key].state, commands[waiting.key].failures) == ("retrying", 1)
    assert Attempt.objects.filter(command=moved).count() == 3
    assert Attempt.objects.count() == 4
    # The groups keep every right; each permission now hangs on its new model.
    operators = Group.objects.get(name="Operators of the test")
    assert set(operators.permissions.values_list("codename", flat=True)) == held
    retry = Permission.objects.get(codename="retry_vtexcommand")
    assert (retry.content_type.app_label, retry.content_type.model) == ("outbox", "vtexcommand")
    start = Permission.objects.get(codename="start_handling_order")
    assert (start.content_type.app_label, start.content_type.model) == ("orders", "order")
