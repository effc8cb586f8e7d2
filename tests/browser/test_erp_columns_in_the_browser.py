"""An operator of the Finance group uploads the ERP's NF-e export in the browser (pt-BR): the
preview lists the file's columns above the rows, the NF-e key sits under a header no import
knows ("Chave Autorizada"), and a note and the customer's CPF beside it. The operator reads the
key column as invoice_key and ignores the other two with the selects, checks the rows again,
ticks that they checked the columns and confirms: the key and the tracking code reach VTEX (the
sandbox). The next file with the same header needs no choice."""

import pytest
from django.utils import timezone

from core.actor import Actor
from orders.models import Order
from orders.services.mirror import order_sync
from orders.validators import nfe_key_check_digit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = (
    "Pedido VTEX;Nº NF;Valor Total da Nota;Data de Emissão;Chave Autorizada;Transportadora;"
    "Cód. Rastreio;CNPJ/CPF do Destinatário;Observação"
)


def nfe_key(number: int) -> str:
    first = f"3526111234567800019055001{number:09d}1{number:08d}"[:43]
    return first + str(nfe_key_check_digit(first))


def erp_file(tmp_path, name, orders, first):
    today = timezone.localdate().strftime("%d/%m/%Y")
    rows = [HEADER]
    for index, order in enumerate(orders):
        number = first + index
        value = f"{order.value // 100},{order.value % 100:02d}"
        rows.append(
            f"{order.vtex_order_id};{number};{value};{today};{nfe_key(number)};Correios;"
            f"BR{number}BR;529.982.247-25;Entregar pela manhã"
        )
    path = tmp_path / name
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    return path


def handling_orders(sandbox, count):
    order_ids = sandbox.create_orders(count, status="handling")
    for order_id in order_ids:
        order_sync(vtex_order_id=order_id, source=Actor.FEED)
    return list(Order.objects.filter(vtex_order_id__in=order_ids).order_by("pk"))


def column_row(page, header):
    return page.locator(f".import-file-columns tr[data-header='{header}']")


def test_the_operator_maps_a_column_on_the_preview_and_the_next_file_needs_no_choice(
    page, live_server, admin_login, vtex_sandbox, eager_delivery, tmp_path
):
    admin_login("financeiro", group="Finance")
    orders = handling_orders(vtex_sandbox, 2)

    page.goto(f"{live_server.url}/admin/orders/order/")
    page.click("text=Importar notas fiscais")
    page.set_input_files("#id_file", str(erp_file(tmp_path, "nfe.csv", orders, 5000)))
    page.click("text=Conferir o arquivo")

    # Above the rows: each column of the file and how it is read.
    assert "lida como invoice_number" in column_row(page, "Nº NF").inner_text()
    assert "lida como tracking_number" in column_row(page, "Cód. Rastreio").inner_text()
    assert "não lida" in column_row(page, "Chave Autorizada").inner_text()
    assert (
        "não são lidas por esta importação" in page.locator(".import-unknown-columns").inner_text()
    )
    assert page.locator("input[name=confirm]").count() == 0

    column_row(page, "Chave Autorizada").locator("select").select_option("invoice_key")
    column_row(page, "CNPJ/CPF do Destinatário").locator("select").select_option("-")
    column_row(page, "Observação").locator("select").select_option("-")
    page.click("text=Ler as colunas assim e conferir as linhas de novo")

    assert (
        "lida como invoice_key (sua escolha)" in column_row(page, "Chave Autorizada").inner_text()
    )
    assert "ignorada" in column_row(page, "Observação").inner_text()
    assert page.locator(".import-rows tr[data-status=valid]").count() == 2
    assert "529.982.247-25" not in page.content()

    # Confirming without saying the columns were checked is refused, nothing sent.
    page.click("text=Confirmar a importação")
    assert "marque “Conferi as colunas do arquivo”" in page.locator(".messagelist").inner_text()
    assert vtex_sandbox.order(orders[0].vtex_order_id)["invoices"] == []
    page.get_by_label("Conferi as colunas do arquivo").check()
    page.click("text=Confirmar a importação")
    assert page.locator(".import-status").inner_text() == "Importado"
    for index, order in enumerate(orders):
        [received] = vtex_sandbox.order(order.vtex_order_id)["invoices"]
        assert received["invoiceKey"] == nfe_key(5000 + index)
        assert received["trackingNumber"] == f"BR{5000 + index}BR"

    # The next export, with the same header: read as chosen, nothing to choose.
    more = handling_orders(vtex_sandbox, 1)
    page.click("text=Enviar outro arquivo")
    page.set_input_files("#id_file", str(erp_file(tmp_path, "nfe-2.csv", more, 6000)))
    page.click("text=Conferir o arquivo")
    assert page.locator(".import-unknown-columns").count() == 0
    assert (
        "lida como invoice_key (sua escolha)" in column_row(page, "Chave Autorizada").inner_text()
    )
    page.get_by_label("Conferi as colunas do arquivo").check()
    page.click("text=Confirmar a importação")
    assert page.locator(".import-status").inner_text() == "Importado"
    [received] = vtex_sandbox.order(more[0].vtex_order_id)["invoices"]
    assert (received["invoiceKey"], received["trackingNumber"]) == (nfe_key(6000), "BR6000BR")
