"""An operator of the Finance group imports the ERP's invoice file in the browser: the file
has a bad row, the preview names it (``linha N``), the operator fixes nothing, imports the
valid rows, and sees the orders invoiced (against the sandbox store)."""

import pytest
from django.utils import timezone

from core.actor import Actor
from orders.models import Order
from orders.services.mirror import order_sync

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_file_with_a_bad_row_is_previewed_then_its_valid_rows_imported(
    page, live_server, admin_login, vtex_sandbox, eager_delivery, tmp_path
):
    admin_login("financeiro", group="Finance")
    order_ids = vtex_sandbox.create_orders(2, status="handling")
    for order_id in order_ids:
        order_sync(vtex_order_id=order_id, source=Actor.FEED)
    orders = list(Order.objects.filter(vtex_order_id__in=order_ids).order_by("pk"))
    today = timezone.localdate().strftime("%d/%m/%Y")
    rows = ["pedido;numero_nota;valor;data_emissao;transportadora;codigo_rastreio"]
    for order in orders:
        value = f"{order.value // 100},{order.value % 100:02d}"
        rows.append(f"{order.vtex_order_id};NF{order.pk};{value};{today};Correios;BR{order.pk}")
    rows.append(f"9999999999-01;NF9;10,00;{today};;")
    erp_file = tmp_path / "notas.csv"
    erp_file.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))

    page.goto(f"{live_server.url}/admin/orders/order/")
    page.click("text=Importar notas fiscais")
    assert "pedido" in page.locator(".import-columns").inner_text()
    page.set_input_files("#id_file", str(erp_file))
    page.click("text=Conferir o arquivo")

    refused = page.locator(".import-refused").inner_text()
    assert (
        "linha 4: Pedido desconhecido 9999999999-01: nenhum pedido com este id no back office."
        in refused
    )
    assert page.locator(".import-rows tr[data-status=valid]").count() == 2
    page.check("text=Importar as linhas válidas")
    page.click("text=Confirmar a importação")

    assert "2 linhas importadas; recusadas: 1." in page.locator(".messagelist").inner_text()
    assert page.locator(".import-status").inner_text() == "Importado"
    for order in orders:
        page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
        assert page.locator(".order-status").first.get_attribute("data-status") == "invoiced"
        received = vtex_sandbox.order(order.vtex_order_id)["invoices"]
        assert [invoice["invoiceNumber"] for invoice in received] == [f"NF{order.pk}"]
