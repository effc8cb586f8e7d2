"""An operator of the Operations group imports a price list in the browser (pt-BR): from the
SKU list's "Importar SKUs", a Windows-1252 file with Portuguese headers, one row refused and
named (``linha N``) in the preview, the valid rows imported; the SKU list shows the new price,
and the marketplace (the sandbox) received the bound SKU's price and inventory notifications."""

import pytest
from playwright.sync_api import expect

from catalog.models import Binding, Sku
from tests.catalog.factories import SkuFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_price_list_is_previewed_then_its_valid_rows_imported(
    page, live_server, admin_login, vtex_sandbox, eager_delivery, tmp_path
):
    admin_login("operadora", group="Operations")
    SkuFactory(sku_id="2001", binding=Binding.BOUND, price=24990, list_price=0, stock=4)
    rows = [
        "sku;nome;nome_produto;preço;preço_de;estoque",
        "2001;;;R$ 199,90;;0",
        "3001;Caneca Azul;Caneca;39,90;49,90;10",
        "3002;Caneca Verde;;29,90;;5",
    ]
    price_list = tmp_path / "precos.csv"
    price_list.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))

    page.goto(f"{live_server.url}/admin/catalog/sku/")
    page.click("text=Importar SKUs")
    assert "preco_de" in page.locator(".import-columns").inner_text()
    page.set_input_files("#id_file", str(price_list))
    page.click("text=Conferir o arquivo")

    expect(page.locator(".import-refused")).to_contain_text(
        "linha 4: O SKU 3002 ainda não está no back office: um SKU novo precisa de name, "
        "product_name e price (vazios aqui: product_name)."
    )
    expect(page.locator(".import-rows tr[data-status=valid]")).to_have_count(2)
    expect(page.locator('.import-rows tr[data-row="2"]')).to_contain_text("R$ 249,90 → R$ 199,90")
    assert Sku.objects.get(sku_id="2001").price == 24990  # the preview changed nothing
    page.check("text=Importar as linhas válidas")
    page.click("text=Confirmar a importação")

    expect(page.locator(".messagelist")).to_contain_text("2 linhas importadas; recusadas: 1.")
    expect(page.locator(".import-status")).to_have_text("Importado")
    page.goto(f"{live_server.url}/admin/catalog/sku/")
    listed = page.locator("#result_list").inner_text()
    assert "Caneca Azul" in listed and "R$ 199,90" in listed and "Caneca Verde" not in listed
    notified = vtex_sandbox.calls(method="POST", path_contains="/api/notificator/")
    assert sorted(call["path"].rsplit("/", 1)[-1] for call in notified) == ["inventory", "price"]
