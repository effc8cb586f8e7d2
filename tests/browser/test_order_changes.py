"""An order change in a real browser (issue 11): an Operations user builds the change on the
order page, reads VTEX's preview (nothing changes yet), confirms it, and follows the change
in the order's history until VTEX says it is done; the mirror then shows VTEX's items and
value."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from tests.browser.test_operations_box import QUEUED
from tests.orders.factories import OrderFactory, OrderItemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def reais(cents: int) -> str:
    """R$ 1.234,56, as the pt-BR page writes it."""
    return "R$ " + f"{cents / 100:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def change_status(box) -> str:
    return box.page.locator("#order-changes tr[data-change-status]").first.get_attribute(
        "data-change-status"
    )


def test_an_order_change_is_previewed_confirmed_and_followed_to_done(box):
    [order] = box.orders(1, "handling", units=2)
    value = order.value
    item = order.items.order_by("position").first()
    refund = 500 + item.invoice_unit_price
    box.sandbox.set_options(change_delay=0.3)

    box.open(order)
    box.click("change")
    box.submit(reason="Falta de estoque", discount_value="5,00", **{f"remove_{item.position}": "1"})

    preview = box.page.inner_text("#change-preview")
    assert f"{reais(order.value)} → {reais(order.value - refund)}" in preview
    assert f"O cliente será reembolsado em {reais(refund)}." in preview
    assert box.vtex(order)["modifications"] == []
    assert box.vtex(order)["order"]["value"] == order.value

    box.confirm()

    assert f"Alteração do pedido {QUEUED}: {order.vtex_order_id}" in box.messages()
    assert change_status(box) in ("waiting-acknowledgement", "waiting-confirmation")
    history = box.page.inner_text("#order-changes")
    assert "Falta de estoque" in history and "operadora" in history
    box.sandbox.advance_clock(1.0)  # both steps of the change are over
    box.run(order, "refresh", "Releitura")
    assert change_status(box) == "done"
    history = box.page.inner_text("#order-changes")
    assert "Concluída" in history
    assert "Order modified" in history  # VTEX's log
    order = Order.objects.get(pk=order.pk)
    vtex = box.vtex(order)["order"]
    assert order.value == vtex["value"] == value - refund
    assert reais(vtex["value"]) in box.page.inner_text("#order-totals")
    assert sorted(order.items.values_list("sku_id", "quantity")) == sorted(
        (i["id"], i["quantity"]) for i in vtex["items"]
    )


def stopped_change(box, order):
    """A discount confirmed on the order page that VTEX stops on error."""
    box.sandbox.set_options(change_stops=1)
    box.open(order)
    box.run(order, "change", "Alteração do pedido", reason="Desconto", discount_value="1,00")
    assert change_status(box) == "error"
    assert "The payment gateway refused the new value" in box.page.inner_text("#order-changes")


def test_a_change_stopped_on_error_is_retried_and_another_canceled_in_its_history_row(box):
    retried, canceled = box.orders(2, "handling")

    stopped_change(box, retried)
    with box.page.expect_navigation():
        box.page.locator('#order-changes [data-change-action="retry"]').click()
    assert f"Nova tentativa da alteração do pedido {QUEUED}: {retried.vtex_order_id}" in (
        box.messages()
    )
    assert change_status(box) == "done"
    assert box.vtex(retried)["order"]["value"] == retried.value - 100
    assert box.page.locator('#order-changes [data-change-action="retry"]').count() == 0

    stopped_change(box, canceled)
    box.page.locator('#order-changes [data-change-action="cancel"]').click()
    box.submit(reason="Cliente desistiu")
    assert f"Cancelamento da alteração do pedido {QUEUED}: {canceled.vtex_order_id}" in (
        box.messages()
    )
    assert change_status(box) == "canceled"
    assert box.vtex(canceled)["modifications"][0]["status"] == "canceled"
    assert box.vtex(canceled)["order"]["value"] == canceled.value
    assert "Cancelada" in box.page.inner_text("#order-changes")


def test_the_change_form_counts_what_is_left_of_each_item_as_the_operator_types(
    page, live_server, admin_login
):
    order = OrderFactory(status="handling")
    OrderItemFactory(order=order, position=0, sku_id="2001", quantity=3, name="Camiseta P")
    OrderItemFactory(order=order, position=1, sku_id="2002", quantity=2, name="Calça 40")
    admin_login("operadora", group="Operations")
    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    page.locator('#order-operations [data-operation="change"]').click()

    first = page.locator('[data-items-left][data-remove="remove_0"]')
    second = page.locator('[data-items-left][data-remove="remove_1"]')
    expect(first).to_contain_text("no pedido: 3")
    expect(first.locator("output")).to_have_text("3")
    expect(second.locator("output")).to_have_text("2")
    captions = page.locator("table.operation-formset caption")
    expect(captions).to_have_text(
        ["Itens substituídos por outro SKU, ou por uma nova quantidade", "Itens adicionados"]
    )
    expect(captions.first).to_be_visible()

    page.fill('[name="remove_0"]', "1")
    expect(first.locator("output")).to_have_text("2")
    page.select_option('[name="replaced-0-sku_id"]', "2002")
    page.fill('[name="replaced-0-quantity"]', "2")
    expect(second.locator("output")).to_have_text("0")
    page.fill('[name="replaced-0-new_sku_id"]', "2002")
    page.fill('[name="replaced-0-new_quantity"]', "5")
    expect(second.locator("output")).to_have_text("5")
    page.fill('[name="remove_0"]', "4")
    expect(first.locator("output")).to_have_text("-1")
    expect(first).to_have_class(re.compile("items-left-negative"))

    # Sent with no reason, the form comes back refused and counts the same on the server.
    page.fill('[name="remove_0"]', "1")
    with page.expect_navigation():
        page.locator("#content-main input[type=submit]:not([name=confirm])").click()
    expect(page.locator(".field-reason .errorlist")).to_be_visible()
    expect(first.locator("output")).to_have_text("2")
    expect(second.locator("output")).to_have_text("5")
