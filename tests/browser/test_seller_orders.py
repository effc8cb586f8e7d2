"""An order a VTEX marketplace (the sandbox) placed with the back office as its seller, worked
on in the browser by an Operations operator: its page offers invoicing and cancellation only,
and the invoice and the tracking number clicked there reach the marketplace."""

import pytest

from catalog.models import Sku
from orders.models import Order
from tests.catalog.seller_data import catalog_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def marketplace_order(live_server, vtex_sandbox, eager_delivery, settings):
    settings.SELLER_APP_KEY = vtex_sandbox.app_key
    settings.SELLER_APP_TOKEN = vtex_sandbox.app_token
    catalog_load()
    seller_url = f"{live_server.url}/seller"
    items = [{"id": "2000037", "quantity": 2}, {"id": "34562", "quantity": 1}]
    placed = vtex_sandbox.marketplace_place_order(
        seller_url, items, marketplaceOrderId="1300000007919-01"
    )
    assert placed["status"] == 200, placed
    assert vtex_sandbox.marketplace_fulfill("1300000007919-01")["status"] == 200
    return Order.objects.get(vtex_order_id=placed["sellerOrderId"])


def submit(page, **fields):
    for name, value in fields.items():
        page.locator(f'#content-main [name="{name}"]').fill(value)
    with page.expect_navigation() as navigation:
        page.locator("#content-main input[type=submit]").click()
    assert navigation.value.status == 200


def click(page, operation):
    with page.expect_navigation() as navigation:
        page.locator(f'#order-operations [data-operation="{operation}"]').click()
    assert navigation.value.status == 200


def test_an_operator_invoices_and_tracks_a_marketplace_order(
    page, live_server, admin_login, vtex_sandbox, marketplace_order
):
    order = marketplace_order
    admin_login("operadora", group="Operations")
    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    buttons = page.locator("#order-operations [data-operation]").evaluate_all(
        "buttons => buttons.map(button => button.dataset.operation)"
    )
    assert buttons == ["invoice", "cancel"]

    click(page, "invoice")
    submit(page, number="NF1")
    assert f"Nota fiscal NF1 na fila para: {order.vtex_order_id}" in page.inner_text(".messagelist")
    click(page, "tracking-number")
    submit(
        page,
        tracking_number="BR123456789",
        courier="Correios",
        tracking_url="https://rastreio.example.com/BR123456789",
    )

    record = vtex_sandbox.marketplace_order("1300000007919-01")
    invoice = record["invoices"]["NF1"]
    assert invoice["invoiceValue"] == order.value
    assert invoice["tracking"]["trackingNumber"] == "BR123456789"
    assert record["status"] == "invoiced"
    # The page shows what the marketplace accepted: invoiced, the invoice and its tracking.
    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    content = page.inner_text("#content-main")
    assert "Faturado" in content and "BR123456789" in content
    assert Sku.objects.get(sku_id="34562").stock == 2
