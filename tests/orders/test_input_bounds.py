"""What an operator types is bounded where it is typed (forms) and where it is used
(services): lengths that fit the columns and the command key, dates around the order, values
bounded by the order's. A refusal is a message, never a 500, and queues nothing."""

import html

import pytest
from django.db import transaction

from orders.models import CommandState, VtexCommand
from orders.services.actions import (
    COMMAND_KEY_MAX_LENGTH,
    ActionRefused,
    command_key,
    invoice_submit,
    invoice_tracking_set,
    order_cancel,
)
from tests.orders.factories import InvoiceFactory, OrderFactory, OrderItemFactory
from tests.orders.operations import (
    invoice_form,
    login_fixture,  # noqa: F401 - fixture
    operation_url,
)

pytestmark = pytest.mark.django_db

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
            order=order, user=None, number="N" * 65, issued_at=order.created_at, lines=None
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
    VtexCommand.objects.create(pk=10_000_000, order=order, kind="refresh", key="earlier")
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
