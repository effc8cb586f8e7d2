"""An operator offers SKUs to the marketplace in a real browser (pt-BR), against the sandbox:
"notify change" on the SKU page leads to a suggestion, "send suggestion" from the list names
what an incomplete SKU lacks, and "check suggestion" shows the marketplace's approval."""

import pytest
from playwright.sync_api import expect

from catalog.models import Binding, ShippingRule, Sku
from tests.catalog.factories import SkuFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def operator(page, live_server, admin_login, vtex_sandbox, eager_delivery):
    admin_login("operadora", group="Operations")
    return page


def sku_page(live_server, sku: Sku) -> str:
    return f"{live_server.url}/admin/catalog/sku/{sku.pk}/change/"


def click(page, name: str) -> None:
    with page.expect_navigation():
        page.locator(f'#sku-marketplace [data-operation="{name}"]').click()


def test_notify_change_suggests_an_unknown_sku_and_check_shows_the_approval(
    operator, live_server, vtex_sandbox
):
    page = operator
    sku = SkuFactory(sku_id="8001")
    page.goto(sku_page(live_server, sku))
    expect(page.locator("#sku-binding")).to_have_text("Ainda não notificado")

    click(page, "notify-change")

    expect(page.locator(".messagelist")).to_contain_text(
        "Notificação de alteração na fila para: 8001."
    )
    expect(page.locator("#sku-binding")).to_have_text("Sugestão enviada")
    expect(page.locator('#sku-suggestions [data-suggestion-state="sent"]')).to_have_count(1)
    expect(page.locator('#sku-notifications [data-outcome="not-bound"]')).to_contain_text(
        "Não vinculado: é preciso uma sugestão"
    )
    [pending] = vtex_sandbox.suggestions()
    assert (pending["sellerSkuId"], pending["suggestion"]["SkuName"]) == ("8001", sku.name)

    vtex_sandbox.approve_suggestion("1", "8001")
    click(page, "check-suggestion")

    expect(page.locator("#sku-binding")).to_have_text("Vinculado")
    expect(page.locator('#sku-suggestions [data-suggestion-state="bound"]')).to_have_count(1)
    sku.refresh_from_db()
    assert sku.binding == Binding.BOUND


def test_send_suggestion_from_the_list_names_what_is_missing(operator, live_server, vtex_sandbox):
    page = operator
    complete = SkuFactory(sku_id="8002")
    SkuFactory(sku_id="8003", brand="", images=[])
    page.goto(f"{live_server.url}/admin/catalog/sku/")

    for sku_id in ("8002", "8003"):
        page.locator("#result_list tr", has_text=sku_id).locator("input.action-select").check()
    page.select_option("select[name=action]", "send_suggestion_selected")
    with page.expect_navigation():
        page.locator("button[name=index]").click()

    messages = page.locator(".messagelist")
    expect(messages).to_contain_text("Sugestão na fila para: 8002.")
    expect(messages).to_contain_text(
        "8003 recusado: Não enviado ao marketplace: falta Marca, Imagens."
    )
    row = page.locator("#result_list tr", has_text="8002")
    expect(row.locator(".sku-binding")).to_have_text("Sugestão enviada")
    expect(
        page.locator("#result_list tr", has_text="8003").locator(".sku-suggestion")
    ).to_have_count(0)
    assert [s["sellerSkuId"] for s in vtex_sandbox.suggestions()] == [complete.sku_id]


def save(page) -> None:
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()


def test_a_price_is_typed_in_reais_and_a_big_change_waits_for_its_confirmation(
    operator, live_server, vtex_sandbox
):
    page = operator
    sku = SkuFactory(sku_id="8010", binding=Binding.BOUND, price=4990, list_price=0)
    page.goto(sku_page(live_server, sku))
    expect(page.locator("#id_price")).to_have_value("49,90")

    page.fill("#id_price", "55")
    save(page)

    expect(page.locator(".messagelist")).to_contain_text("salva com sucesso")
    expect(page.locator("#id_price")).to_have_value("55,00")
    expect(page.locator("#sku-marketplace")).to_contain_text("Preço: R$ 55,00")
    sku.refresh_from_db()
    assert sku.price == 5500
    vtex_sandbox.clear_calls()

    # R$ 549,90 meant, R$ 5.499,00 typed: asked, and nothing saved or sent.
    page.fill("#id_price", "5.499")
    save(page)

    expect(page.locator(".errorlist")).to_contain_text(
        "Esta alteração muda o preço R$ 55,00 → R$ 5.499,00: mais de 50 % de uma vez."
    )
    sku.refresh_from_db()
    assert sku.price == 5500
    assert vtex_sandbox.calls(method="POST", path_contains="/api/notificator/") == []

    page.check("#id_confirm_price_change")
    save(page)

    expect(page.locator("#id_price")).to_have_value("5.499,00")
    sku.refresh_from_db()
    assert sku.price == 549900
    [notified] = vtex_sandbox.calls(method="POST", path_contains="/api/notificator/")
    assert notified["path"].endswith("/changenotification/8010/price")


def test_a_shipping_rules_estimate_is_typed_and_read_in_business_days(
    page, live_server, admin_login
):
    admin_login("operadora", group="Operations")
    page.goto(f"{live_server.url}/admin/catalog/shippingrule/add/")
    page.fill("#id_name", "Expressa")
    page.fill("#id_postal_code_from", "01000000")
    page.fill("#id_postal_code_to", "05999999")
    page.fill("#id_price", "24,90")
    page.fill("#id_shipping_estimate", "3")
    with page.expect_navigation():
        page.locator("input[name=_save]").click()

    expect(page.locator("#result_list")).to_contain_text("3 dias úteis")
    rule = ShippingRule.objects.get()
    assert rule.shipping_estimate == "3bd"
    page.locator("#result_list a", has_text="Expressa").click()
    expect(page.locator("#id_shipping_estimate")).to_have_value("3")
    expect(page.locator(".field-shipping_estimate")).to_contain_text("Atual: 3 dias úteis")
