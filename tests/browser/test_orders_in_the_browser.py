"""An operator's morning in the admin, in a real browser (pt-BR), against the sandbox store."""

import re

import pytest

from core.actor import Actor
from orders.models import Order
from orders.services.mirror import order_sync

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_sees_the_mirror_and_starts_handling_from_the_list(
    page, live_server, admin_login, vtex_sandbox, eager_delivery
):
    order_ids = vtex_sandbox.create_orders(3, status="ready-for-handling")
    for order_id in order_ids:
        order_sync(vtex_order_id=order_id, source=Actor.FEED)
    first = Order.objects.get(vtex_order_id=order_ids[0])

    admin_login()
    page.goto(f"{live_server.url}/admin/orders/order/")

    table = page.locator("#result_list")
    for order_id in order_ids:
        assert table.get_by_text(order_id).is_visible()
    assert "Pronto para o manuseio" in table.inner_text()
    assert re.search(r"R\$\s?[\d.]+,\d{2}", table.inner_text())

    page.locator(f"input[name=_selected_action][value='{first.pk}']").check()
    page.select_option("select[name=action]", label="Iniciar manuseio")
    page.click("button[name=index]")

    assert first.vtex_order_id in page.locator(".messagelist").inner_text()
    assert vtex_sandbox.order(first.vtex_order_id)["start_handling_calls"] == 1
    first.refresh_from_db()
    assert first.status == "handling"

    page.goto(f"{live_server.url}/admin/orders/order/{first.pk}/change/")
    timeline = page.inner_text("#order-timeline")
    assert "Importado da VTEX, no status Pronto para o manuseio." in timeline
    assert (
        "O status na VTEX passou de Pronto para o manuseio para Preparando entrega, "
        "depois de: o início do manuseio."
    ) in timeline


def test_finance_invoices_an_order_from_its_page_and_a_bad_number_is_explained(
    page, live_server, admin_login, vtex_sandbox, eager_delivery
):
    [order_id] = vtex_sandbox.create_orders(1, status="handling")
    order_sync(vtex_order_id=order_id, source=Actor.FEED)
    order = Order.objects.get(vtex_order_id=order_id)

    admin_login()
    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    page.get_by_text("Nota fiscal", exact=True).first.click()

    page.fill("input[name=number]", "NF 12/3")
    page.get_by_role("button", name="Enviar nota").click()
    assert "apenas letras e dígitos" in page.inner_text("body")
    assert vtex_sandbox.order(order_id)["invoices"] == []

    page.fill("input[name=number]", "NF123")
    page.get_by_role("button", name="Enviar nota").click()

    assert "NF123" in page.locator(".messagelist").inner_text()
    [invoice] = vtex_sandbox.order(order_id)["invoices"]
    assert (invoice["invoiceNumber"], int(invoice["invoiceValue"])) == ("NF123", order.value)
    order.refresh_from_db()
    assert order.status in ("invoice", "invoiced")
    assert order.invoices.get().number == "NF123"


def test_an_operator_clicks_the_one_click_buttons_of_the_order_page(
    page, live_server, admin_login, vtex_sandbox, eager_delivery
):
    """The buttons without a form ("Iniciar manuseio", "Reler da VTEX") post their own small
    form: nested in the admin's change form, the browser submitted that one instead (403)."""
    ready, handling = vtex_sandbox.create_orders(1, status="ready-for-handling") + (
        vtex_sandbox.create_orders(1, status="handling")
    )
    for order_id in (ready, handling):
        order_sync(vtex_order_id=order_id, source=Actor.FEED)
    admin_login("operadora", group="Operations")

    order = Order.objects.get(vtex_order_id=ready)
    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Iniciar manuseio").click()
    assert posted.value.status in (200, 302), posted.value.status
    assert ready in page.locator(".messagelist").inner_text()
    assert vtex_sandbox.order(ready)["start_handling_calls"] == 1
    order.refresh_from_db()
    assert order.status == "handling"

    order = Order.objects.get(vtex_order_id=handling)
    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    synced_before = order.synced_at
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Reler da VTEX").click()
    assert posted.value.status in (200, 302), posted.value.status
    assert handling in page.locator(".messagelist").inner_text()
    order.refresh_from_db()
    assert order.synced_at > synced_before
