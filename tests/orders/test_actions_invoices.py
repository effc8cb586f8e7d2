"""Invoices, returns, tracking numbers and tracking events from the order page."""

import html
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.actor import Actor
from core.refusals import ActionRefused
from orders.models import EventType, Invoice, OrderEvent, TrackingEvent
from orders.operations.invoice import InvoiceLine, InvoiceRequest, invoice_submit
from orders.operations.tracking_events import tracking_events_send
from orders.services.sync import order_upsert_from_document
from orders.validators import nfe_key_check_digit
from outbox.models import CommandState, VtexCommand
from tests.orders.documents import vtex_order_document, vtex_package
from tests.orders.factories import OrderFactory, OrderItemFactory
from tests.orders.operations import (
    invoice_form,
    messages_of,
    mirrored_orders,
    operation_url,
    order_page,
    sandbox_invoices,
)

pytestmark = pytest.mark.django_db


def nfe_key(serial: int = 1) -> str:
    base = f"3524011234567800019055001{serial:09d}100010000"[:43]
    return base + str(nfe_key_check_digit(base))


def submit(client, order, number, quantities=None, **fields):
    """POST the invoice form; delivery runs when the test executes on-commit callbacks."""
    return client.post(
        operation_url(order, "invoice"), invoice_form(order, number, quantities, **fields)
    )


def test_a_partial_invoice_then_the_rest(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    user = login("Finance")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    items = list(order.items.order_by("position"))
    first = items[0]
    page = client.get(operation_url(order, "invoice")).content.decode()
    assert "Value of an invoice for everything left" in html.unescape(page)

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, order, "NF1", {first.position: 1}, key=nfe_key(1))
    assert response.status_code == 302, messages_of(response)
    assert "Invoice NF1 queued for: " + order.vtex_order_id + "." in messages_of(response)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, order, "NF2")

    received = sandbox_invoices(vtex_store, order)
    assert received["NF1"]["invoiceValue"] == first.selling_price
    assert received["NF1"]["items"][0]["quantity"] == 1
    assert received["NF1"]["invoiceKey"] == nfe_key(1)
    # The last invoice takes the rest of the order value (shipping included).
    assert received["NF2"]["invoiceValue"] == order.value - first.selling_price
    order.refresh_from_db()
    assert order.status == "invoiced"
    mirrored = {invoice.number: invoice for invoice in order.invoices.all()}
    assert mirrored["NF1"].value == first.selling_price
    assert mirrored["NF1"].key == nfe_key(1)
    assert [(line.item_index, line.quantity) for line in mirrored["NF1"].items.all()] == [
        (first.position, 1)
    ]
    requests = OrderEvent.objects.filter(order=order, type=EventType.ACTION_REQUESTED)
    assert [(e.actor_user, e.payload["number"]) for e in requests.order_by("pk")] == [
        (user, "NF1"),
        (user, "NF2"),
    ]
    assert OrderEvent.objects.filter(order=order, type=EventType.COMMAND_SENT).count() == 2


def test_the_same_invoice_twice_is_queued_once(vtex_store, login, client):
    login("Finance")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    first_item = order.items.order_by("position").first()
    lines = [InvoiceLine(position=first_item.position, quantity=1)]
    with transaction.atomic():
        first = invoice_submit(
            InvoiceRequest(order=order, number="NF1", issued_at=timezone.now(), lines=lines),
            user=None,
        )
    with transaction.atomic():
        again = invoice_submit(
            InvoiceRequest(order=order, number="NF1", issued_at=timezone.now(), lines=lines),
            user=None,
        )

    assert (first.created, again.created, again.command) == (True, False, first.command)
    # A double submit of the form writes nothing new either.
    submit(client, order, "NF1", {first_item.position: 1})
    assert VtexCommand.objects.count() == 1


@pytest.mark.parametrize("number", ["NF/1", "NF 1", "NF#1", "NFº1"])
def test_invoice_numbers_vtex_breaks_on_are_refused(login, client, number):
    login("Finance")
    order = OrderFactory(status="handling")
    OrderItemFactory(order=order, position=0)

    response = submit(client, order, number)

    assert response.status_code == 200
    assert "must contain only letters and digits" in html.unescape(response.content.decode())
    assert not VtexCommand.objects.exists()


def test_an_nfe_key_with_a_wrong_check_digit_is_refused(login, client):
    login("Finance")
    order = OrderFactory(status="handling")
    OrderItemFactory(order=order, position=0)
    key = nfe_key(7)
    wrong = key[:-1] + str((int(key[-1]) + 1) % 10)

    response = submit(client, order, "NF1", key=wrong)

    assert "check digit is wrong" in html.unescape(response.content.decode())
    assert not VtexCommand.objects.exists()


def test_a_number_already_used_with_other_data_is_refused(login, client):
    login("Finance")
    order = OrderFactory(status="handling", value=300000)
    OrderItemFactory(order=order, position=0, quantity=2, selling_price=100000)
    OrderItemFactory(order=order, position=1, quantity=1, selling_price=100000)
    first = submit(client, order, "NF1", {0: 1})
    assert first.status_code == 302

    response = submit(client, order, "NF1", {0: 1, 1: 1})

    assert response.status_code == 200
    assert ("Invoice number NF1 is already used on this order with other data") in " ".join(
        messages_of(response)
    )
    assert VtexCommand.objects.count() == 1


def test_invoices_adding_up_to_more_than_the_order_value_are_refused(login, client):
    login("Finance")
    # An order-level discount: the items add up to more than the order.
    order = OrderFactory(status="handling", value=100000)
    OrderItemFactory(order=order, position=0, quantity=1, selling_price=80000)
    OrderItemFactory(order=order, position=1, quantity=1, selling_price=70000)
    OrderItemFactory(order=order, position=2, quantity=1, selling_price=10000)

    response = submit(client, order, "NF1", {0: 1, 1: 1})

    assert response.status_code == 200
    assert (
        "Invoice NF1 would bring the order's invoices to R$ 1,500.00, "
        "more than the order value R$ 1,000.00."
    ) in messages_of(response)
    assert not VtexCommand.objects.exists()


def test_a_return_invoice_is_offered_once_the_order_is_fully_invoiced(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Finance")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    form = client.get(operation_url(order, "invoice")).context["form"]
    assert [value for value, _ in form.fields["invoice_type"].choices] == ["Output"]
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, order, "NF1")
    order.refresh_from_db()
    page = client.get(order_page(order)).content.decode()
    assert 'data-operation="return-invoice"' in page
    assert 'data-operation="invoice"' not in page

    form = client.get(operation_url(order, "return-invoice")).context["form"]
    assert [value for value, _ in form.fields["invoice_type"].choices] == ["Input"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(operation_url(order, "return-invoice"), invoice_form(order, "DEV1"))

    assert response.status_code == 302
    received = sandbox_invoices(vtex_store, order)["DEV1"]
    assert (received["type"], received["invoiceValue"]) == ("Input", order.value)
    assert order.invoices.get(number="DEV1").type == "Input"


def test_tracking_number_then_events_with_delivery(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    user = login("Finance")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, order, "NF1")
    page = client.get(order_page(order)).content.decode()
    assert 'data-operation="tracking-number"' in page
    assert 'data-operation="tracking-events"' not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            operation_url(order, "tracking-number"),
            {
                "invoice_number": "NF1",
                "tracking_number": "BR123456789",
                "tracking_url": "https://rastreio.example.com/BR123456789",
                "courier": "Correios",
                "dispatched_at": "",
            },
        )
    assert response.status_code == 302
    # Dates within the window around the order (created just now in the sandbox).
    today = timezone.localdate()
    events = {
        "invoice_number": "NF1",
        "is_delivered": "on",
        "delivered_at": "",
        "events-TOTAL_FORMS": "3",
        "events-INITIAL_FORMS": "0",
        "events-0-date": (today - timedelta(days=1)).isoformat(),
        "events-0-city": "Campinas",
        "events-0-state": "SP",
        "events-0-description": "Objeto postado",
        "events-1-date": today.isoformat(),
        "events-1-city": "Rio de Janeiro",
        "events-1-state": "RJ",
        "events-1-description": "Objeto entregue",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(operation_url(order, "tracking-events"), events)
    assert response.status_code == 302, response.content.decode()[:2000]

    received = sandbox_invoices(vtex_store, order)["NF1"]
    assert (received["trackingNumber"], received["courier"]) == ("BR123456789", "Correios")
    assert [e["description"] for e in received["events"]] == ["Objeto postado", "Objeto entregue"]
    assert received["isDelivered"] is True
    invoice = Invoice.objects.get(order=order, number="NF1")
    assert (invoice.tracking_number, invoice.delivered) == ("BR123456789", True)
    assert [(e.city, e.occurred_at) for e in invoice.tracking_events.all()] == [
        ("Campinas", today - timedelta(days=1)),
        ("Rio de Janeiro", today),
    ]
    # Shown as the days typed, not as the evening before (midnight UTC in São Paulo).
    page = client.get(order_page(order)).content.decode()
    assert f"{(today - timedelta(days=1)):%m/%d/%Y} — Campinas/SP: Objeto postado" in page
    kinds = list(
        OrderEvent.objects.filter(order=order, type=EventType.ACTION_REQUESTED, actor_user=user)
        .order_by("pk")
        .values_list("payload__action", flat=True)
    )
    assert kinds == ["invoice", "tracking-number", "tracking-events"]


def test_tracking_events_need_a_tracking_number_first(vtex_store):
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    Invoice.objects.create(order=order, number="NF1", value=order.value)

    with pytest.raises(ActionRefused, match="has no tracking number yet"):
        tracking_events_send(
            order=order, user=None, invoice_number="NF1", events=[], is_delivered=True
        )


def test_an_invoice_vtex_refuses_is_shown_on_the_order_page(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Finance")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    vtex_store.set_status(order.vtex_order_id, "canceled")

    with django_capture_on_commit_callbacks(execute=True):
        submit(client, order, "NF1")

    command = VtexCommand.objects.get()
    assert command.state == CommandState.REJECTED
    page = client.get(order_page(order)).content.decode()
    assert "An order in status canceled cannot be invoiced" in html.unescape(page)
    order.refresh_from_db()
    assert order.status == "canceled"


def test_the_service_refuses_an_invoice_in_a_status_that_does_not_allow_it(vtex_store):
    [order] = mirrored_orders(vtex_store, 1, status="payment-approved")

    with pytest.raises(ActionRefused, match="invoicing is not possible"), transaction.atomic():
        invoice_submit(
            InvoiceRequest(order=order, number="NF1", issued_at=timezone.now()), user=None
        )


# --- Tracking events happen on a day ---------------------------------------------------------


def test_vtex_event_moments_are_mirrored_as_their_day_in_sao_paulo():
    tracking = [
        # 01:30 UTC is still the 27th, 22:30, in São Paulo.
        {"city": "Campinas", "state": "SP", "description": "Postado", "date": "2026-11-28T01:30Z"},
        {"city": "Jundiaí", "state": "SP", "description": "Em trânsito", "date": "2026-11-28"},
    ]
    order_upsert_from_document(
        document=vtex_order_document(status="invoiced", packages=[vtex_package(tracking=tracking)]),
        source=Actor.FEED,
    )

    assert list(TrackingEvent.objects.values_list("city", "occurred_at")) == [
        ("Campinas", date(2026, 11, 27)),
        ("Jundiaí", date(2026, 11, 28)),
    ]


@pytest.mark.django_db(transaction=True)
def test_stored_tracking_moments_become_days():
    executor = MigrationExecutor(connection)
    executor.migrate([("orders", "0006_outbox_moved")])
    apps = executor.loader.project_state([("orders", "0006_outbox_moved")]).apps
    Order = apps.get_model("orders", "Order")
    Invoice = apps.get_model("orders", "Invoice")
    TrackingEvent = apps.get_model("orders", "TrackingEvent")
    order = Order.objects.create(
        vtex_order_id="1-01", status="invoiced", created_at=timezone.now(), synced_at=timezone.now()
    )
    invoice = Invoice.objects.create(order=order, number="NF1", value=100)
    stored = {
        # A plain day the old import read as midnight UTC: the same day.
        "typed": datetime(2026, 11, 27, tzinfo=UTC),
        # A moment: its day in São Paulo (01:30 UTC on the 28th is 22:30 on the 27th there).
        "moment": datetime(2026, 11, 28, 1, 30, tzinfo=UTC),
        "none": None,
    }
    for city, moment in stored.items():
        TrackingEvent.objects.create(invoice=invoice, city=city, occurred_at=moment)

    executor = MigrationExecutor(connection)
    executor.migrate([("orders", "0007_tracking_event_day")])
    apps = executor.loader.project_state([("orders", "0007_tracking_event_day")]).apps
    days = dict(
        apps.get_model("orders", "TrackingEvent").objects.values_list("city", "occurred_at")
    )

    assert days == {"typed": date(2026, 11, 27), "moment": date(2026, 11, 27), "none": None}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
