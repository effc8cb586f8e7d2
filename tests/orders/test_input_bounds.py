"""What an operator types is bounded where it is typed (forms) and where it is used
(services): lengths that fit the columns and the command key, dates around the order, values
bounded by the order's. A refusal is a message, never a 500, and queues nothing."""

import html
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import formats, timezone, translation

from core.refusals import ActionRefused
from orders.operations.cancel import order_cancel
from orders.operations.invoice import InvoiceRequest, invoice_submit
from orders.operations.tracking import invoice_tracking_set
from orders.services.changes import ChangeLine, order_change
from outbox.enqueue import COMMAND_KEY_MAX_LENGTH, command_key
from outbox.models import CommandState, VtexCommand
from tests.orders.factories import InvoiceFactory, OrderFactory, OrderItemFactory
from tests.orders.operations import (
    invoice_form,
    messages_of,
    operation_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in English; their pt-BR is tests/test_translations.py's.
    with translation.override("en"):
        yield


KEY_COLUMN = VtexCommand._meta.get_field("key").max_length
# The longest ids the mirror holds (Order.vtex_order_id, Invoice.number: 64 characters).
LONG_ORDER_ID = "1" * 61 + "-01"
LONG_NUMBER = "9" * 64


def invoiced_order(**fields):
    order = OrderFactory(status="handling", **fields)
    OrderItemFactory(order=order, position=0)
    InvoiceFactory(order=order, number=LONG_NUMBER, tracking_number="")
    return order


def page_text(response) -> str:
    return html.unescape(response.content.decode())


# --- Lengths and command keys (issue 7, point 6) ----------------------------------------------


def test_a_200_character_tracking_number_is_refused_on_the_order_page(login, client):
    login("Operations")
    order = invoiced_order()

    response = client.post(
        operation_url(order, "tracking-number"),
        {
            "invoice_number": LONG_NUMBER,
            "tracking_number": "T" * 200,
            "tracking_url": "",
            "courier": "Correios",
            "dispatched_at": "",
        },
    )

    assert response.status_code == 200
    assert "The tracking number can have at most 100 characters (it has 200)." in page_text(
        response
    )
    assert not VtexCommand.objects.exists()


def test_the_invoice_form_bounds_its_tracking_fields_with_the_same_message(login, client):
    login("Operations")
    order = OrderFactory(status="handling")
    OrderItemFactory(order=order, position=0)

    response = client.post(
        operation_url(order, "invoice"),
        invoice_form(order, "NF1", tracking_number="T" * 101, courier="C" * 201),
    )

    text = page_text(response)
    assert "The tracking number can have at most 100 characters (it has 101)." in text
    assert "The courier can have at most 200 characters (it has 201)." in text
    assert not VtexCommand.objects.exists()


def test_the_services_refuse_what_the_forms_refuse():
    order = invoiced_order()

    with pytest.raises(ActionRefused, match=r"tracking number can have at most 100 characters"):
        invoice_tracking_set(
            order=order, user=None, invoice_number=LONG_NUMBER, tracking_number="T" * 200
        )
    with pytest.raises(ActionRefused, match=r"The reason can have at most 500 characters"):
        order_cancel(order=order, user=None, reason="r" * 501)
    with pytest.raises(ActionRefused, match=r"The invoice number can have at most 64 characters"):
        invoice_submit(
            InvoiceRequest(order=order, number="N" * 65, issued_at=order.created_at, lines=None),
            user=None,
        )
    assert not VtexCommand.objects.exists()


def test_the_longest_allowed_tracking_key_fits_its_column_and_is_deterministic():
    order = invoiced_order(vtex_order_id=LONG_ORDER_ID)
    tracking_number = "T" * 100

    with transaction.atomic():
        first = invoice_tracking_set(
            order=order, user=None, invoice_number=LONG_NUMBER, tracking_number=tracking_number
        )
    with transaction.atomic():
        again = invoice_tracking_set(
            order=order, user=None, invoice_number=LONG_NUMBER, tracking_number=tracking_number
        )

    key = first.command.key
    assert len(key) <= KEY_COLUMN
    assert key.startswith(f"{LONG_ORDER_ID}:invoice:{LONG_NUMBER}:tracking:sha256-")
    assert (again.created, again.command) == (False, first.command)


def test_a_rejected_long_key_still_fits_once_renamed_for_a_new_request():
    """After ten million commands a rejected command is renamed ``{key}~{pk}`` with 8 digits:
    on PostgreSQL a key near the column's length would raise DataError there."""
    order = invoiced_order(vtex_order_id=LONG_ORDER_ID)
    VtexCommand.objects.create(
        pk=10_000_000, subject=order, source="admin", kind="refresh", key="earlier"
    )
    tracking_number = "T" * 100
    with transaction.atomic():
        first = invoice_tracking_set(
            order=order, user=None, invoice_number=LONG_NUMBER, tracking_number=tracking_number
        )
    VtexCommand.objects.filter(pk=first.command.pk).update(state=CommandState.REJECTED)

    with transaction.atomic():
        second = invoice_tracking_set(
            order=order, user=None, invoice_number=LONG_NUMBER, tracking_number=tracking_number
        )

    assert second.created
    keys = list(VtexCommand.objects.values_list("key", flat=True))
    assert f"{first.command.key}~{first.command.pk}" in keys
    assert all(len(key) <= KEY_COLUMN for key in keys), [len(key) for key in keys]


def test_keys_of_normal_length_are_unchanged():
    assert command_key("1172452900788-01", "invoice", "NF1") == "1172452900788-01:invoice:NF1"
    assert (
        command_key("1172452900788-01", "invoice", "NF1", "tracking", "BR123456789")
        == "1172452900788-01:invoice:NF1:tracking:BR123456789"
    )
    exactly = "x" * (COMMAND_KEY_MAX_LENGTH - len("o:t:"))
    assert command_key("o", "t", exactly) == f"o:t:{exactly}"


def test_a_long_key_gives_its_last_part_way_to_a_digest():
    head = ("o", "invoice", "N")
    long_part = "x" * COMMAND_KEY_MAX_LENGTH

    key = command_key(*head, long_part)

    assert len(key) <= COMMAND_KEY_MAX_LENGTH
    assert key == command_key(*head, long_part)
    assert key.startswith("o:invoice:N:sha256-")
    assert key != command_key(*head, long_part[:-1] + "y")
    assert "~" not in key  # "~" marks a command renamed by a newer request


def test_a_key_whose_fixed_parts_are_too_long_still_fits():
    key = command_key("o" * 300, "p" * 300, "q")

    assert len(key) <= COMMAND_KEY_MAX_LENGTH
    assert key == command_key("o" * 300, "p" * 300, "q")
    assert key != command_key("o" * 300, "p" * 300, "r")


# --- Dates and values (issue 7, point 9) ------------------------------------------------------

WINDOW = "from a day before the order was created to a day from now."


def earliest_shown(order) -> str:
    with translation.override("en"):
        return formats.date_format(
            timezone.localtime(order.created_at - timedelta(days=1)), "SHORT_DATETIME_FORMAT"
        )


@pytest.mark.parametrize("issued_at", ["0001-01-01 00:00:00", "9999-12-31 23:59:00"])
def test_an_invoice_issued_in_year_1_or_9999_is_refused_on_the_order_page(login, client, issued_at):
    login("Operations")
    order = OrderFactory(status="handling")
    OrderItemFactory(order=order, position=0)

    response = client.post(
        operation_url(order, "invoice"), invoice_form(order, "NF1", issued_at=issued_at)
    )

    assert response.status_code == 200
    text = page_text(response)
    assert f"The issue date must be between {earliest_shown(order)} and " in text
    assert WINDOW in text
    assert not VtexCommand.objects.exists()


def test_an_invoice_dispatched_years_ahead_is_refused_on_the_order_page(login, client):
    login("Operations")
    order = OrderFactory(status="handling")
    OrderItemFactory(order=order, position=0)

    response = client.post(
        operation_url(order, "invoice"),
        invoice_form(order, "NF1", dispatched_at="9999-12-31 23:59:00"),
    )

    assert "The dispatch date must be between" in page_text(response)
    assert not VtexCommand.objects.exists()


def test_the_invoice_service_refuses_dates_outside_the_window():
    order = OrderFactory(status="handling")
    OrderItemFactory(order=order, position=0)
    before_the_order = order.created_at - timedelta(days=1, seconds=1)

    with pytest.raises(ActionRefused, match="The issue date must be between"):
        invoice_submit(
            InvoiceRequest(order=order, number="NF1", issued_at=before_the_order), user=None
        )
    with pytest.raises(ActionRefused, match="The issue date must be between"):
        invoice_submit(
            InvoiceRequest(order=order, number="NF1", issued_at=datetime(9999, 12, 31, tzinfo=UTC)),
            user=None,
        )
    assert not VtexCommand.objects.exists()


def test_a_return_invoice_issued_in_year_1_or_9999_is_refused(login, client):
    login("Operations")
    order = OrderFactory(status="invoiced")
    OrderItemFactory(order=order, position=0)
    form = {"number": "DEV1", "key": "", "url": "", "reason": "Produto devolvido"}

    future = client.post(
        operation_url(order, "return-and-cancel"), {**form, "issued_at": "9999-12-31 23:59:00"}
    )
    past = client.post(
        operation_url(order, "return-and-cancel"), {**form, "issued_at": "0001-01-01 00:00:00"}
    )

    # The return form does not know the order: it refuses the future, the service the rest.
    assert "The issue date cannot be later than " in page_text(future)
    assert any(
        message.startswith(f"The issue date must be between {earliest_shown(order)} and ")
        and message.endswith(WINDOW)
        for message in messages_of(past)
    ), messages_of(past)
    assert not VtexCommand.objects.exists()


def test_a_tracking_number_dispatched_in_year_1_or_9999_is_refused(login, client):
    login("Operations")
    order = invoiced_order()
    form = {"invoice_number": LONG_NUMBER, "tracking_number": "BR1", "courier": "Correios"}

    future = client.post(
        operation_url(order, "tracking-number"), {**form, "dispatched_at": "9999-12-31 10:00"}
    )
    past = client.post(
        operation_url(order, "tracking-number"), {**form, "dispatched_at": "0001-01-01 10:00"}
    )

    assert "The dispatch date cannot be later than " in page_text(future)
    assert any(
        message.startswith("The dispatch date must be between") for message in messages_of(past)
    ), messages_of(past)
    assert not VtexCommand.objects.exists()


def test_tracking_events_dated_in_year_1_or_delivered_in_9999_are_refused(login, client):
    login("Operations")
    order = OrderFactory(status="handling")
    OrderItemFactory(order=order, position=0)
    InvoiceFactory(order=order, number="NF1", tracking_number="BR1")
    form = {
        "invoice_number": "NF1",
        "events-TOTAL_FORMS": "1",
        "events-INITIAL_FORMS": "0",
        "events-0-city": "Campinas",
        "events-0-state": "SP",
        "events-0-description": "Objeto postado",
    }
    today = timezone.localdate().isoformat()

    delivered = client.post(
        operation_url(order, "tracking-events"),
        {
            **form,
            "events-0-date": today,
            "is_delivered": "on",
            "delivered_at": "9999-12-31 10:00",
        },
    )
    dated = client.post(
        operation_url(order, "tracking-events"), {**form, "events-0-date": "0001-01-01"}
    )
    ahead = client.post(
        operation_url(order, "tracking-events"), {**form, "events-0-date": "9999-12-31"}
    )

    assert "The delivery date cannot be later than " in page_text(delivered)
    assert any(
        message.startswith("A tracking event's date must be between")
        for message in messages_of(dated)
    ), messages_of(dated)
    assert "A tracking event's date cannot be later than " in page_text(ahead)
    assert not VtexCommand.objects.exists()


def change_form(**fields):
    return {
        "request_id": uuid.uuid4().hex,
        "reason": "Ajuste",
        "discount_value": "",
        "increment_value": "",
        "remove_0": "0",
        "added-TOTAL_FORMS": "1",
        "added-INITIAL_FORMS": "0",
        "replaced-TOTAL_FORMS": "0",
        "replaced-INITIAL_FORMS": "0",
        **fields,
    }


def order_in_handling():
    # Paid by card: VTEX charges a price increase to it.
    order = OrderFactory(status="handling", value=100000, payment_group="creditCard")
    OrderItemFactory(order=order, position=0, quantity=2, selling_price=45000)
    return order


def test_an_increment_of_a_billion_reais_is_refused_on_the_order_page(login, client):
    login("Operations")
    order = order_in_handling()

    response = client.post(
        operation_url(order, "change"), change_form(increment_value="999.999.999,99")
    )

    assert response.status_code == 200
    assert (
        "This change would take the order from R$ 1,000.00 to R$ 1,000,000,999.99; a change "
        "cannot take an order above 2 times its value (R$ 2,000.00). A bigger sale is a new "
        "order."
    ) in page_text(response)
    response = client.post(
        operation_url(order, "change"), change_form(increment_value="9999999999.99")
    )
    assert "The largest amount taken is R$ 999,999,999.99." in page_text(response)
    assert not VtexCommand.objects.exists()


def test_a_discount_above_the_order_value_is_refused_on_the_order_page(login, client):
    login("Operations")
    order = order_in_handling()

    response = client.post(operation_url(order, "change"), change_form(discount_value="1000.01"))

    assert response.status_code == 200
    assert "A discount of R$ 1,000.01 is more than the order's value, R$ 1,000.00." in page_text(
        response
    )
    assert not VtexCommand.objects.exists()


def test_an_added_item_worth_billions_is_refused(login, client, settings):
    # Its typed price counts with RegisterChange; VTEX's catalog prices it otherwise.
    settings.VTEX_ORDER_CHANGES_API = "legacy"
    login("Operations")
    order = order_in_handling()

    response = client.post(
        operation_url(order, "change"),
        change_form(
            **{"added-0-sku_id": "99001", "added-0-quantity": "1", "added-0-price": "999999999.99"}
        ),
    )

    assert response.status_code == 200
    assert "This change would take the order from R$ 1,000.00 to " in page_text(response)
    assert not VtexCommand.objects.exists()


def test_the_change_service_bounds_values_by_the_order():
    order = order_in_handling()
    removed = [ChangeLine(sku_id=order.items.get().sku_id, quantity=1, price=45000)]

    with pytest.raises(ActionRefused, match="a change cannot take an order above 2 times"):
        order_change(order=order, user=None, reason="x", increment_value=999_999_999_999)
    with pytest.raises(ActionRefused, match="is more than the order's value"):
        order_change(order=order, user=None, reason="x", discount_value=100_001)
    assert not VtexCommand.objects.exists()

    # Up to twice the order's value, counting what is removed: a swap for a dearer item.
    with transaction.atomic():
        swapped = order_change(
            order=order,
            user=None,
            reason="troca",
            items_removed=removed,
            items_added=[ChangeLine(sku_id="99001", quantity=1, price=145000)],
        )
    assert swapped.created
