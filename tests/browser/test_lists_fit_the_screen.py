"""Every admin list, and the order page, on the screens operators use (issue 19): at 1440x900
and at 1280x800, in pt-BR, as a superuser (the widest list: the action checkboxes), with the
navigation sidebar as the admin opens it and data as long as real data gets (VTEX's long
answers, long customer and SKU names, ERP file names), no column hides behind the list's
inner scroll bar and the page does not scroll sideways.

The lists are every model the admin site registers, so a list added later is measured too.
With ``LIST_SCREENSHOTS`` set to a folder, each list is also photographed there
(``<app>-<model>-<width>x<height>.png``), for reading the result with one's eyes.
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from catalog.models import (
    NotificationKind,
    NotificationOutcome,
    ShippingRule,
    Sku,
    SkuChangeNotification,
    SkuSuggestion,
    SuggestionState,
)
from core.actor import Actor
from imports.models import BatchStatus, ImportBatch
from orders.models import EventType, Order, OrderEvent
from outbox.models import CommandState, VtexCommand
from tests.orders.factories import InvoiceFactory, OrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = [{"width": 1440, "height": 900}, {"width": 1280, "height": 800}]

# What sticks out: the results' table past its box (the box scrolls sideways: columns hidden
# behind its scroll bar), the page wider than the window, anything spilling out of the order
# page's panels, and any element past the window's right edge.
HIDDEN = """() => {
  const hidden = [];
  const results = document.querySelector("#changelist .results");
  const table = document.querySelector("#result_list");
  if (results && table && table.scrollWidth > results.clientWidth) {
    hidden.push(`table ${table.scrollWidth} px in a box of ${results.clientWidth} px`);
  }
  const page = document.scrollingElement;
  if (page.scrollWidth > window.innerWidth) {
    hidden.push(`page ${page.scrollWidth} px in a window of ${window.innerWidth} px`);
  }
  // The order page's panels: nothing spills over the panel beside it.
  for (const panel of document.querySelectorAll(".order-panel")) {
    const edge = panel.getBoundingClientRect().right;
    for (const element of panel.querySelectorAll("*")) {
      const box = element.getBoundingClientRect();
      if (box.width > 0 && box.right > edge + 0.5) {
        hidden.push(`${panel.id}: ${element.tagName.toLowerCase()}.${element.className}`);
      }
    }
  }
  const width = document.documentElement.clientWidth;
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5) {
      hidden.push(`${element.tagName.toLowerCase()}#${element.id}.${element.className}`);
    }
  }
  return hidden;
}"""

LONG_NAMES = [
    ("Maria Aparecida dos Santos", "Albuquerque Cavalcanti de Oliveira e Souza"),
    ("José Carlos", "Nascimento Ferreira da Silva Pereira Junior"),
    ("Ana Beatriz", "Vasconcelos"),
]
LONG_SKU_NAME = (
    "Jogo de Panelas Antiaderente Tramontina Paris em Alumínio com Revestimento Interno e "
    "Externo em Antiaderente Starflon Max Vermelho 7 Peças"
)
VTEX_LONG_ANSWER = (
    "The invoice value 1234567 is greater than the remaining value to be invoiced for order "
    "1300000123-01 (remaining: 1200000). Check the items, the freight and the discounts of "
    "the invoice and send it again; invoiceValue must be informed in cents."
)
ERP_FILE = "Relatorio_NFe_Faturamento_TOTVS_Protheus_filial_0001_matriz_sao_paulo_2026-06.csv"


def realistic_lists(user) -> None:
    """Rows in every list as long as production's get."""
    now = timezone.now()
    orders = []
    for number in range(30):
        first, last = LONG_NAMES[number % len(LONG_NAMES)]
        orders.append(
            OrderFactory(
                customer_first_name=first,
                customer_last_name=last,
                status=("ready-for-handling", "handling", "invoiced", "payment-pending")[
                    number % 4
                ],
                origin="Marketplace" if number % 2 else "Fulfillment",
                value=123456789,
                vtex_last_change=now - timedelta(days=3),
            )
        )
    for number, order in enumerate(orders[:20]):
        InvoiceFactory(
            order=order,
            number=f"{number:09d}",
            courier="Total Express Logística e Transportes Ltda - Expresso Rodoviário",
            tracking_number=f"TX{number:013d}BR",
        )
        OrderEvent.objects.create(
            order=order,
            type=EventType.STATUS_CHANGED,
            source=Actor.FEED,
            from_status="ready-for-handling",
            to_status="handling",
            receipt="8f2b1c3d4e5f60718293a4b5c6d7e8f9",
        )
        command = VtexCommand.objects.create(
            subject=order,
            source=Actor.ADMIN,
            kind="tracking-events",
            key=f"{order.vtex_order_id}:invoice:{number:09d}:events:3f9a8b7c6d5e4f30",
            state=(CommandState.REJECTED, CommandState.RETRYING)[number % 2],
            attempts=7,
            next_attempt_at=now + timedelta(minutes=5),
            last_error_code=("SBX-OVER-INVOICE", "ORD-UNKNOWN-CODE-42")[number % 2],
            last_error_message=VTEX_LONG_ANSWER,
            requested_by=user,
        )
        OrderEvent.objects.create(
            order=order,
            type=EventType.COMMAND_REJECTED,
            source=Actor.OUTBOX,
            payload={"command": command.key, "error": VTEX_LONG_ANSWER},
        )
    skus = [
        Sku.objects.create(
            sku_id=f"{9000000 + number}",
            name=LONG_SKU_NAME,
            product_name=LONG_SKU_NAME,
            price=123456789,
            list_price=123456789,
            stock=1000000,
        )
        for number in range(15)
    ]
    for sku in skus:
        SkuSuggestion.objects.create(
            sku=sku,
            state=SuggestionState.FAILED,
            last_error=VTEX_LONG_ANSWER,
            requested_by=user,
            sent_at=now,
        )
        SkuChangeNotification.objects.create(
            sku=sku,
            kind=NotificationKind.PRICE,
            reason="Preço alterado pela planilha de reajuste mensal do ERP (importação em lote)",
            outcome=NotificationOutcome.FAILED,
            detail=VTEX_LONG_ANSWER,
            requested_by=user,
        )
    for number in range(5):
        ShippingRule.objects.create(
            name="Entrega Expressa Capitais e Regiões Metropolitanas",
            postal_code_from=f"{number}1000000",
            postal_code_to=f"{number}9999999",
            price=123456,
            shipping_estimate="12bd",
        )
    for _copy in range(10):
        ImportBatch.objects.create(
            kind="invoices",
            file_name=ERP_FILE,
            user=user,
            status=BatchStatus.IMPORTED,
            total_rows=100000,
            refused_rows=12345,
            imported_rows=87655,
            content=b"",
        )


def admin_lists() -> list[str]:
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    )


def photograph(page, name: str) -> None:
    folder = os.environ.get("LIST_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def order_pages() -> list[str]:
    """The order page of the order with the longest customer name and most commands."""
    order = Order.objects.filter(customer_first_name=LONG_NAMES[0][0]).order_by("pk").first()
    return [reverse("admin:orders_order_change", args=[order.pk])]


def test_every_list_shows_every_column_at_1440_and_1280(
    page, live_server, admin_login, django_user_model
):
    admin_login("maria.aparecida.cavalcanti")
    realistic_lists(django_user_model.objects.get(username="maria.aparecida.cavalcanti"))
    hidden = {}
    for url in admin_lists() + order_pages():
        for screen in SCREENS:
            page.set_viewport_size(screen)
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            size = f"{screen['width']}x{screen['height']}"
            name = "-".join([*url.strip("/").split("/")[1:], size])
            photograph(page, name)
            found = page.evaluate(HIDDEN)
            if found:
                hidden[name] = found[:5]
    assert hidden == {}, "\n".join(f"{name}: {found}" for name, found in hidden.items())


def test_a_cut_value_is_whole_on_hover_and_on_its_page(
    page, live_server, admin_login, django_user_model
):
    admin_login("maria.aparecida.cavalcanti")
    realistic_lists(django_user_model.objects.get(username="maria.aparecida.cavalcanti"))
    command = VtexCommand.objects.filter(last_error_code="ORD-UNKNOWN-CODE-42").first()
    page.set_viewport_size(SCREENS[1])
    page.goto(f"{live_server.url}/admin/outbox/vtexcommand/")

    row = page.locator("#result_list tr", has=page.locator(f'[title="{command.key}"]'))
    answer = row.locator(".field-answer_summary .bo-truncated")
    whole = f"ORD-UNKNOWN-CODE-42: {VTEX_LONG_ANSWER}"
    # Cut on screen (three lines of the column), whole in the title the mouse shows.
    assert answer.get_attribute("title") == whole
    assert answer.evaluate("span => span.scrollHeight > span.clientHeight")
    key = row.locator(".field-key_display .bo-truncated")
    assert key.evaluate("span => span.scrollHeight > span.clientHeight")
    # The attempts and the next try, under the state, in Portuguese.
    assert "7 tentativas" in row.locator(".field-state_summary").inner_text()
    assert "próxima:" in row.locator(".field-state_summary").inner_text()

    # The command's page has every field whole: the key and VTEX's words.
    with page.expect_navigation():
        key.click()
    assert page.url.endswith(f"/admin/outbox/vtexcommand/{command.pk}/change/")
    content = page.inner_text("#content")
    assert command.key in content
    assert VTEX_LONG_ANSWER in content
