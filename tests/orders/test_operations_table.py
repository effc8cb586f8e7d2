"""The operations table (orders.operations): one rule per operation decides both whether the
order page offers it and whether its service refuses it, and the admin is built from it."""

import html

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.refusals import ActionRefused
from orders.models import InvoiceType
from orders.operations.common import sale_invoices
from orders.operations.table import OPERATIONS, operations_available
from orders.operations.tracking_events import TrackingEventInput
from orders.selectors.invoicing import order_invoicing_summary
from orders.status import OrderStatus
from outbox.models import VtexCommand
from tests.orders.factories import (
    InvoiceFactory,
    InvoiceItemFactory,
    OrderFactory,
    OrderItemFactory,
)
from tests.orders.operations import operation_url, order_page

pytestmark = pytest.mark.django_db

# Before, during and after handling and invoicing; canceling and canceled; incomplete orders.
STATUSES = [
    OrderStatus.PAYMENT_APPROVED,
    OrderStatus.READY_FOR_HANDLING,
    OrderStatus.HANDLING,
    OrderStatus.WAITING_FOR_FULFILLMENT,
    OrderStatus.INVOICE,
    OrderStatus.INVOICED,
    OrderStatus.INVOICE_AFTER_CANCELLATION_DENY,
    OrderStatus.CANCELLATION_REQUESTED,
    OrderStatus.CANCEL,
    OrderStatus.CANCELED,
    OrderStatus.ORDER_CREATION_ERROR,
]
INVOICING = ["none", "partial", "invoiced", "tracked", "returned"]
VALUE = 100_000


def order_in(status: str, invoicing: str):
    """An order of two items (R$ 400 each, shipping the rest) and its invoices so far."""
    order = OrderFactory(status=status, value=VALUE)
    for position in (0, 1):
        OrderItemFactory(order=order, position=position, quantity=1, selling_price=40_000)
    if invoicing == "none":
        return order
    whole = invoicing != "partial"
    sale = InvoiceFactory(
        order=order,
        number="NF1",
        value=VALUE if whole else 40_000,
        tracking_number="BR1" if invoicing in ("tracked", "returned") else "",
    )
    for position in (0, 1) if whole else (0,):
        InvoiceItemFactory(invoice=sale, item_index=position, unit_price=40_000)
    if invoicing == "returned":
        back = InvoiceFactory(order=order, number="DEV1", type=InvoiceType.INPUT, value=VALUE)
        for position in (0, 1):
            InvoiceItemFactory(invoice=back, item_index=position, unit_price=40_000)
    return order


def valid_arguments(name: str, order) -> dict:
    """What an operator would send for this operation on this order, all of it acceptable."""
    now = timezone.now()
    invoices = sale_invoices(order_invoicing_summary(order=order))
    tracked = [invoice.number for invoice in invoices if invoice.tracking_number]
    some_invoice = tracked[0] if tracked else (invoices[0].number if invoices else "NF404")
    return {
        "start-handling": {},
        "invoice": {"number": "NF2", "issued_at": now},
        "return-invoice": {"number": "DEV2", "issued_at": now, "invoice_type": "Input"},
        "tracking-number": {"invoice_number": some_invoice, "tracking_number": "BR2"},
        "tracking-events": {
            "invoice_number": some_invoice,
            "events": [TrackingEventInput("Campinas", "SP", "Postado", timezone.localdate())],
            "is_delivered": False,
        },
        "cancel": {"reason": "Cliente desistiu"},
        "return-and-cancel": {"number": "DEV2", "issued_at": now, "reason": "Devolvido"},
        "change": {"reason": "Brinde", "discount_value": 100},
        "change-retry": {},
        "change-cancel": {"reason": "Cliente desistiu"},
        "refresh": {},
    }[name]


def service_refusal(name: str, order) -> str | None:
    """What the operation's service says, in a transaction rolled back afterwards."""
    operation = OPERATIONS[name]
    with transaction.atomic():
        try:
            operation.run(order=order, user=None, arguments=valid_arguments(name, order))
        except ActionRefused as refusal:
            return refusal.message
        finally:
            transaction.set_rollback(True)
    return None


@pytest.mark.parametrize("status", STATUSES)
def test_the_button_is_offered_exactly_where_the_service_accepts(status):
    for invoicing in INVOICING:
        order = order_in(status, invoicing)
        summary = order_invoicing_summary(order=order)
        for name, operation in OPERATIONS.items():
            rule = operation.refusal(order, summary)
            assert service_refusal(name, order) == rule, (status, invoicing, name)
        assert not VtexCommand.objects.exists()


def test_the_table_offers_what_each_status_allows(django_user_model):
    operator = django_user_model.objects.create_superuser("root", "root@example.com", "x")

    def offered(status, invoicing):
        order = order_in(status, invoicing)
        summary = order_invoicing_summary(order=order)
        return [op.name for op in operations_available(order=order, summary=summary, user=operator)]

    assert offered("ready-for-handling", "none") == [
        "start-handling",
        "invoice",
        "cancel",
        "refresh",
    ]
    assert offered("handling", "none") == ["invoice", "cancel", "change", "refresh"]
    assert offered("handling", "partial") == ["invoice", "tracking-number", "change", "refresh"]
    assert offered("invoiced", "invoiced") == [
        "return-invoice",
        "tracking-number",
        "return-and-cancel",
        "refresh",
    ]
    assert offered("invoiced", "tracked") == [
        "return-invoice",
        "tracking-number",
        "tracking-events",
        "return-and-cancel",
        "refresh",
    ]
    assert offered("invoiced", "returned") == [
        "tracking-number",
        "tracking-events",
        "cancel",
        "refresh",
    ]
    assert offered("cancellation-requested", "none") == ["cancel", "refresh"]
    # VTEX no longer moves these: a return would not let it cancel.
    assert offered("invoice-after-cancellation-deny", "tracked") == [
        "return-invoice",
        "tracking-number",
        "tracking-events",
        "refresh",
    ]
    assert offered("canceled", "none") == ["refresh"]


def test_the_admin_has_one_address_per_operation_and_the_buttons_follow_the_table(login, client):
    login("Operations")
    order = order_in("handling", "partial")

    page = client.get(order_page(order)).content.decode()

    for name in OPERATIONS:
        assert reverse(f"admin:orders_order_op_{name.replace('-', '_')}", args=[order.pk])
    shown = [name for name in OPERATIONS if f'data-operation="{name}"' in page]
    assert shown == ["invoice", "tracking-number", "change", "refresh"]
    assert page.index('data-operation="invoice"') < page.index('data-operation="change"')


# (operation, an order whose status or invoices do not allow it)
UNAVAILABLE = [
    ("invoice", "canceled", "none"),
    ("invoice", "handling", "invoiced"),
    ("return-invoice", "handling", "partial"),
    ("tracking-number", "handling", "none"),
    ("tracking-events", "handling", "partial"),
    ("cancel", "handling", "partial"),
    ("return-and-cancel", "handling", "none"),
    ("change", "ready-for-handling", "none"),
]


@pytest.mark.parametrize(("name", "status", "invoicing"), UNAVAILABLE)
def test_an_operation_the_order_does_not_allow_says_why_at_once(
    login, client, name, status, invoicing
):
    login("Operations")
    order = order_in(status, invoicing)
    reason = OPERATIONS[name].refusal(order, order_invoicing_summary(order=order))
    assert reason

    response = client.get(operation_url(order, name))

    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert reason in text
    content = text.split('id="content-main"')[1]
    assert f'href="{order_page(order)}"' in content
    assert "<form" not in content and response.context["form"] is None
    assert not VtexCommand.objects.exists()


def test_an_operation_the_order_allows_shows_its_form(login, client):
    login("Operations")
    order = order_in("handling", "none")

    response = client.get(operation_url(order, "change"))

    assert response.status_code == 200
    assert response.context["form"] is not None and response.context["refusal"] is None
    assert '<form method="post"' in response.content.decode()


def test_a_stale_form_submitted_after_the_order_moved_is_refused_with_the_rule(
    login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    order = order_in("handling", "none")
    form = {"reason": "Cliente desistiu"}
    order.status = "canceled"
    order.save(update_fields=["status"])

    response = client.post(operation_url(order, "cancel"), form)

    assert response.status_code == 200
    [message] = [str(m) for m in response.context["messages"]]
    assert message == OPERATIONS["cancel"].refusal(order, order_invoicing_summary(order=order))
    assert not VtexCommand.objects.exists()
