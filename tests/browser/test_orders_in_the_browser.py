"""An operator's morning in the admin, in a real browser (pt-BR), against the sandbox store."""

import re

import pytest

from backoffice.celery import app as celery_app
from orders.models import Actor, Order
from orders.services.sync import order_sync

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_delivery():
    # The live server delivers the outbox inline after its commit, as a worker would.
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


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
    body = page.inner_text("body")
    assert "Preparando entrega" in body
    assert "Importado" in body
    assert "Status alterado" in body
