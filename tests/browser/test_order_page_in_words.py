"""The order page read by an operator at 1440 x 900 (issue 12): the timeline in words, the
language switch, nothing wider than the screen, and why an operation is unavailable said
before anyone types."""

from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from core.money import brl
from orders.models import EventType, OrderEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
# Every element's right edge, against the viewport's width (scrollbars excluded).
WIDER_THAN_THE_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  const wider = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) {
      wider.push(`${element.tagName.toLowerCase()}#${element.id}.${element.className}`);
    }
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, wider};
}"""


@pytest.fixture
def screen(page):
    page.set_viewport_size({"width": 1440, "height": 900})
    return page


def timeline(page):
    """The timeline's lines as the operator reads them."""
    return page.locator("#order-timeline tbody tr").evaluate_all(
        """rows => rows.map(row => ({
            when: row.querySelector(".when").innerText.trim(),
            what: row.querySelector(".what").innerText.trim(),
            who: row.querySelector(".who").innerText.trim(),
            answer: row.querySelector(".answer").innerText.trim(),
        }))"""
    )


def line(lines, what):
    found = [entry for entry in lines if entry["what"] == what]
    assert found, f"no line {what!r} in {[entry['what'] for entry in lines]}"
    return found[-1]


def invoiced_tracked_and_canceled(box):
    """An order taken through its life on its page: handling, invoice NF77, tracking number,
    then a return invoice and the cancellation."""
    [order] = box.orders(1, "ready-for-handling")
    box.open(order)
    box.run(order, "start-handling", "Iniciar manuseio")
    box.run(order, "invoice", "Nota fiscal NF77", number="NF77")
    box.run(
        order,
        "tracking-number",
        "Código de rastreio",
        tracking_number="BR123456789BR",
        courier="Correios",
    )
    box.run(
        order,
        "return-and-cancel",
        "Nota de devolução e cancelamento",
        number="DEV77",
        reason="Cliente desistiu",
    )
    assert box.status(order) == "canceled"
    return order


def test_the_timeline_of_an_invoiced_tracked_and_canceled_order_reads_in_words(box, screen):
    order = invoiced_tracked_and_canceled(box)
    with translation.override("pt-br"):
        value = brl(order.value)
    lines = timeline(screen)

    # What was asked, by whom, and VTEX's answer, in words.
    asked = line(lines, f"Solicitado à VTEX: nota fiscal de venda NF77 de {value}.")
    assert asked["who"] == "operadora"
    invoiced = line(lines, f"A VTEX aceitou: nota fiscal de venda NF77 de {value}.")
    assert invoiced["who"] == "operadora"
    assert invoiced["answer"].startswith("recibo ")
    tracked = line(
        lines, "A VTEX aceitou: código de rastreio BR123456789BR (Correios) da nota NF77."
    )
    assert tracked["who"] == "operadora"
    line(lines, f"A VTEX aceitou: nota de devolução DEV77 de {value}.")
    canceled = line(lines, "A VTEX aceitou: cancelamento (motivo: “Cliente desistiu”).")
    assert canceled["who"] == "operadora"
    moved = line(
        lines,
        "O status na VTEX passou de Faturado para Cancelado, depois de: "
        "cancelamento (motivo: “Cliente desistiu”).",
    )
    assert moved["who"] == "operadora"
    line(
        lines,
        "O status na VTEX passou de Pronto para o manuseio para Preparando entrega, "
        "depois de: o início do manuseio.",
    )
    # The operator asked, not the outbox that delivered.
    assert not [entry for entry in lines if "Envio de comandos" in entry["who"]]

    # When: São Paulo time, as the audit row holds it.
    sent = OrderEvent.objects.filter(order=order, type=EventType.COMMAND_SENT).latest("pk")
    assert canceled["when"] == sent.created_at.astimezone(SAO_PAULO).strftime("%d/%m/%Y %H:%M")
    assert "Horários em America/Sao_Paulo." in screen.inner_text("#order-timeline")

    # Django's empty History button gave way to the timeline.
    assert screen.locator("a.historylink").inner_text().strip().lower() == "linha do tempo"

    # The event's own page: a readable title in local time.
    screen.goto(f"{box.url}/admin/orders/orderevent/{sent.pk}/change/")
    local = sent.created_at.astimezone(SAO_PAULO).strftime("%d/%m/%Y %H:%M")
    assert f"{order.vtex_order_id} · Comando enviado · {local}" in screen.inner_text("#content")
    assert "A VTEX aceitou: cancelamento" in screen.inner_text("#content")


def test_the_language_switch_turns_the_page_to_english_and_back(box, screen):
    order = invoiced_tracked_and_canceled(box)
    box.open(order)
    assert "Linha do tempo" in screen.inner_text("#order-timeline h2")

    with screen.expect_navigation():
        screen.locator('#language-switch button[value="en"]').click()
    assert screen.url.endswith(f"/admin/orders/order/{order.pk}/change/")
    assert screen.inner_text("#order-timeline h2").strip().lower() == "timeline"
    with translation.override("en"):
        value = brl(order.value)
    assert line(timeline(screen), f"VTEX accepted: sale invoice NF77 of {value}.")
    assert "Operations" in screen.inner_text("#order-operations h2")

    with screen.expect_navigation():
        screen.locator('#language-switch button[value="pt-br"]').click()
    assert screen.inner_text("#order-timeline h2").strip().lower() == "linha do tempo"
    with translation.override("pt-br"):
        value = brl(order.value)
    assert line(timeline(screen), f"A VTEX aceitou: nota fiscal de venda NF77 de {value}.")


def test_the_order_page_has_nothing_wider_than_the_screen(box, screen):
    order = invoiced_tracked_and_canceled(box)
    box.open(order)

    measured = screen.evaluate(WIDER_THAN_THE_VIEWPORT)

    assert measured["width"] <= 1440
    assert measured["scrollWidth"] <= measured["width"], measured
    assert measured["wider"] == [], measured


def test_an_unavailable_operation_says_why_before_anyone_types(box, screen):
    [invoiced] = box.orders(1, "invoiced")
    box.open(invoiced)

    # Cancel is not a button on an invoiced order: the box says why, in plain sight.
    assert "cancel" not in box.buttons()
    why = screen.locator('#order-operations [data-unavailable-operation="cancel"]')
    assert why.is_visible()
    assert "O pedido está faturado: a VTEX recusa o cancelamento" in why.inner_text()

    # The changelist's cancel action: its page names the orders it will refuse, before the
    # reason is typed.
    [ready] = box.orders(1, "ready-for-handling")
    screen.goto(f"{box.url}/admin/orders/order/")
    for order in (invoiced, ready):
        screen.locator(f"input[name=_selected_action][value='{order.pk}']").check()
    screen.select_option("select[name=action]", value="cancel_selected")
    with screen.expect_navigation():
        screen.click("button[name=index]")
    refused = screen.locator(f'.action-refusals [data-refused="{invoiced.pk}"]')
    assert refused.is_visible()
    assert "a VTEX recusa o cancelamento" in refused.inner_text()
    assert screen.locator(f'.action-refusals [data-refused="{ready.pk}"]').count() == 0


def test_the_invoice_form_fits_the_key_and_shows_the_totals_beside_it(box, screen):
    [order] = box.orders(1, "handling")
    box.open(order)
    box.click("invoice")

    # The 44 digits of an NF-e key show whole in their field.
    key = screen.locator('#content-main [name="key"]')
    key.fill("35261112345678000199550010000012341000012345")
    assert key.evaluate("field => field.scrollWidth <= field.clientWidth")
    # Dates are picked, not typed in a format to guess.
    assert screen.locator('[name="issued_at"]').get_attribute("type") == "datetime-local"
    assert screen.locator('[name="dispatched_at"]').get_attribute("type") == "datetime-local"

    # The order's totals and what is left to invoice, beside the form.
    totals = screen.locator("#operation-totals")
    with translation.override("pt-br"):
        value = brl(order.value)
    assert "Falta faturar" in totals.inner_text()
    assert value in totals.inner_text()
    form = screen.locator("#content-main form").bounding_box()
    beside = totals.bounding_box()
    assert beside["x"] >= form["x"] + 300 and beside["y"] < form["y"] + form["height"]
    assert screen.evaluate(WIDER_THAN_THE_VIEWPORT)["wider"] == []
