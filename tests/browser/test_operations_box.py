"""Every button of the order page's operations box, clicked by an operator of the Operations
group on orders in each status that shows it, against the sandbox store: what the operator
sees (the message, the order's status) and what VTEX received (issue 8, point 7)."""

from datetime import timedelta

import pytest
from django.utils import formats, timezone

from core.actor import Actor
from orders.models import Order
from orders.services.mirror import order_sync

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUED = "na fila para"  # the box's "<what> na fila para: <order>" (OperationsBox.run)


def event(day, city, state):
    """The first row of the tracking events form."""
    return {
        "events-0-date": day,
        "events-0-city": city,
        "events-0-state": state,
        "events-0-description": f"Em {city}",
    }


def test_ready_for_handling(box):
    started, invoiced, canceled = box.orders(3, "ready-for-handling")

    box.open(started)
    assert box.buttons() == ["start-handling", "invoice", "cancel", "refresh"]
    box.run(started, "refresh", "Releitura")
    box.run(started, "start-handling", "Iniciar manuseio")
    assert box.vtex(started)["start_handling_calls"] == 1
    assert box.status(started) == "handling"

    box.open(invoiced)
    box.run(invoiced, "invoice", "Nota fiscal NF1", number="NF1")
    [sent] = box.vtex(invoiced)["invoices"]
    assert (sent["invoiceNumber"], sent["invoiceValue"]) == ("NF1", invoiced.value)
    assert box.status(invoiced) == "invoiced"

    box.open(canceled)
    box.run(canceled, "cancel", "Cancelamento", reason="Cliente desistiu")
    assert box.vtex(canceled)["cancel_calls"] == 1
    assert box.status(canceled) in ("cancellation-requested", "canceled")


def test_handling(box):
    changed, canceled = box.orders(2, "handling")
    item = changed.items.order_by("position").first()

    box.open(changed)
    assert box.buttons() == ["invoice", "cancel", "change", "refresh"]
    box.click("change")
    # What VTEX would refuse is refused here, with the reason, and nothing reaches VTEX.
    box.submit(reason="Ajuste", discount_value=f"{changed.value / 100:.2f}".replace(".", ","))
    assert "R$ 0,00" in box.page.inner_text("#content-main .errorlist.nonfield")
    box.submit(**{"discount_value": "", f"remove_{item.position}": str(item.quantity + 1)})
    removal_error = box.page.inner_text(f"#content-main .field-remove_{item.position} .errorlist")
    assert str(item.quantity) in removal_error
    assert box.vtex(changed)["modifications"] == []
    box.submit(**{f"remove_{item.position}": "0", "discount_value": "10,00"})
    assert box.vtex(changed)["modifications"] == []
    box.confirm()
    assert f"Alteração do pedido {QUEUED}: {changed.vtex_order_id}" in box.messages()
    [change] = box.vtex(changed)["modifications"]
    assert (change["manualDiscountValue"], change["status"]) == (1000, "done")
    assert Order.objects.get(pk=changed.pk).value == changed.value - 1000
    box.run(changed, "refresh", "Releitura")

    box.open(canceled)
    box.run(canceled, "cancel", "Cancelamento", reason="Sem estoque")
    assert box.vtex(canceled)["cancel_calls"] == 1


def test_handling_partially_invoiced(box):
    [order] = box.orders(1, "handling", units=2)
    first = order.items.order_by("position").first()
    box.open(order)
    quantities = {f"quantity_{item.position}": "0" for item in order.items.all()}
    quantities[f"quantity_{first.position}"] = "1"
    box.run(order, "invoice", "Nota fiscal NF1", number="NF1", **quantities)
    assert [i["invoiceNumber"] for i in box.vtex(order)["invoices"]] == ["NF1"]

    assert box.buttons() == ["invoice", "tracking-number", "change", "refresh"]
    box.click("tracking-number")
    box.submit(invoice_number="NF1", tracking_number="T" * 200, courier="Correios")
    assert "no máximo 100 caracteres (tem 200)" in box.page.inner_text("#content-main")
    assert box.vtex(order)["invoices"][0]["trackingNumber"] in ("", None)
    box.submit(tracking_number="BR123456789BR")
    assert f"Código de rastreio {QUEUED}: {order.vtex_order_id}" in box.messages()
    assert box.vtex(order)["invoices"][0]["trackingNumber"] == "BR123456789BR"

    # A day typed as a day is shown as that day, not as the evening before (São Paulo).
    # The date picker (an <input type=date>) takes the day as the browser sends it.
    yesterday = timezone.localdate() - timedelta(days=1)
    shown = formats.date_format(yesterday, "d/m/Y")
    assert box.buttons() == ["invoice", "tracking-number", "tracking-events", "change", "refresh"]
    picked = event(yesterday.isoformat(), "Campinas", "SP")
    box.run(order, "tracking-events", "Eventos de rastreio", **picked)
    assert box.vtex(order)["invoices"][0]["events"][0]["date"] == yesterday.isoformat()
    assert f"{shown} — Campinas/SP: Em Campinas" in box.page.inner_text("#order-invoices")

    box.run(order, "change", "Alteração do pedido", reason="Brinde", discount_value="1,00")
    box.run(order, "refresh", "Releitura")
    box.run(order, "invoice", "Nota fiscal NF2", number="NF2")
    assert box.status(order) == "invoiced"


def test_invoiced(box):
    returned, canceled = box.orders(2, "invoiced")

    box.open(returned)
    shown = box.buttons()
    assert shown in (
        ["return-invoice", "tracking-number", "return-and-cancel", "refresh"],
        ["return-invoice", "tracking-number", "tracking-events", "return-and-cancel", "refresh"],
    )
    if "tracking-events" not in shown:
        box.run(returned, "tracking-number", "Código de rastreio", tracking_number="BR98765BR")
    today = timezone.localdate().isoformat()
    delivered = {**event(today, "Rio de Janeiro", "RJ"), "is_delivered": True}
    box.run(returned, "tracking-events", "Eventos de rastreio", **delivered)
    assert box.vtex(returned)["invoices"][0]["isDelivered"] is True
    box.run(returned, "refresh", "Releitura")
    box.run(returned, "return-invoice", "Nota fiscal DEV1", number="DEV1")
    received = {i["invoiceNumber"]: i for i in box.vtex(returned)["invoices"]}
    assert (received["DEV1"]["type"], received["DEV1"]["invoiceValue"]) == (
        "Input",
        returned.value,
    )

    # Returned in full: VTEX cancels it now.
    assert box.buttons() == ["tracking-number", "tracking-events", "cancel", "refresh"]
    box.run(returned, "cancel", "Cancelamento", reason="Devolvido")
    assert box.status(returned) == "canceled"

    box.open(canceled)
    back = {"number": "DEV2", "reason": "Arrependimento"}
    box.run(canceled, "return-and-cancel", "Nota de devolução e cancelamento", **back)
    assert [i["type"] for i in box.vtex(canceled)["invoices"]] == ["Output", "Input"]
    assert box.status(canceled) == "canceled"


def test_cancellation_requested_and_canceled(box):
    [order] = box.orders(1, "handling")
    box.sandbox.set_status(order.vtex_order_id, "cancellation-requested")
    order_sync(vtex_order_id=order.vtex_order_id, source=Actor.FEED)

    box.open(order)
    assert box.buttons() == ["cancel", "refresh"]
    box.run(order, "cancel", "Cancelamento", reason="Confirmado")
    assert box.status(order) == "canceled"

    assert box.buttons() == ["refresh"]
    box.run(order, "refresh", "Releitura")
    # An operation opened by its address says at once why not, with the way back.
    box.page.goto(f"{box.url}/admin/orders/order/{order.pk}/operations/change/")
    reason = box.page.inner_text("#content-main")
    assert "O pedido está em “Cancelado” na VTEX" in reason
    assert box.page.locator("#content-main form").count() == 0
    box.page.locator("#content-main a.cancel-link").click()
    assert box.page.url.endswith(f"/admin/orders/order/{order.pk}/change/")


def test_waiting_for_fulfillment_and_payment_approved(box):
    [waiting] = box.orders(1, "waiting-for-fulfillment")
    [paid] = box.orders(1, "payment-approved")

    box.open(waiting)
    assert box.buttons() == ["cancel", "change", "refresh"]
    box.run(waiting, "change", "Alteração do pedido", reason="Brinde", discount_value="2,50")
    assert box.vtex(waiting)["modifications"][0]["manualDiscountValue"] == 250
    box.run(waiting, "refresh", "Releitura")
    box.click("cancel")
    box.submit(reason="Sem estoque")
    assert box.vtex(waiting)["cancel_calls"] == 1

    box.open(paid)
    assert box.buttons() == ["cancel", "refresh"]
    box.run(paid, "refresh", "Releitura")
    box.run(paid, "cancel", "Cancelamento", reason="Pagamento duplicado")
    assert box.status(paid) == "canceled"
