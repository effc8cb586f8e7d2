"""Imported invoices reach VTEX (the sandbox, over HTTP) exactly once, also when it loses
30 % of the answers after applying them and answers 10 % with 429; the preview sends
nothing."""

import pytest
from django.utils import timezone

from imports.models import BatchStatus
from orders.selectors.invoicing import order_invoicing_summary
from outbox.models import CommandAttempt, CommandState, VtexCommand
from tests.orders.imports import batch_of, confirm, upload
from tests.orders.operations import deliver_everything, mirrored_orders, sandbox_invoices

pytestmark = pytest.mark.django_db


def invoice_file(orders, *, bad_row: bool = False) -> bytes:
    """One invoice per order for what is left on it (values written 1.234,56), and with
    ``bad_row`` an order the back office does not know."""
    today = timezone.localdate().strftime("%d/%m/%Y")
    lines = ["pedido;numero_nota;valor;data_emissao;transportadora;codigo_rastreio"]
    for order in orders:
        left = order_invoicing_summary(order=order).order_value
        value = f"{left // 100:,}".replace(",", ".") + f",{left % 100:02d}"
        lines.append(f"{order.vtex_order_id};NF{order.pk};{value};{today};Correios;BR{order.pk}")
    if bad_row:
        lines.append(f"0000000000-01;NF0;10,00;{today};;")
    return ("\n".join(lines) + "\n").encode()


def test_the_preview_sends_nothing_and_confirm_sends_each_invoice_once_under_faults(
    vtex_store, client, login, django_capture_on_commit_callbacks
):
    login("Finance")
    orders = mirrored_orders(vtex_store, 20, status="handling")
    vtex_store.clear_calls()

    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_of(upload(client, "erp.csv", invoice_file(orders, bad_row=True)))
    assert batch.status == BatchStatus.CHECKED
    assert (batch.valid_rows, batch.refused_rows) == (20, 1)
    assert vtex_store.calls() == []
    assert not VtexCommand.objects.exists()

    vtex_store.set_faults(
        rate_500=0.3,
        rate_429=0.1,
        retry_after=0.02,
        fail_after_apply=True,
        paths=["/api/oms/pvt/orders/"],
        methods=["POST"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, batch, policy="valid-rows")
    deliver_everything(timeout=60)

    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows, batch.refused_rows) == (
        BatchStatus.IMPORTED,
        20,
        1,
    )
    commands = VtexCommand.objects.filter(kind="invoice")
    assert commands.count() == 20
    assert set(commands.values_list("state", flat=True)) == {CommandState.SUCCEEDED}
    assert "already-applied" in set(CommandAttempt.objects.values_list("outcome", flat=True))
    for order in orders:
        received = sandbox_invoices(vtex_store, order)
        assert list(received) == [f"NF{order.pk}"]
        assert len(received[f"NF{order.pk}"]["receipts"]) == 1
        assert received[f"NF{order.pk}"]["trackingNumber"] == f"BR{order.pk}"
        assert received[f"NF{order.pk}"]["invoiceValue"] == order.value
