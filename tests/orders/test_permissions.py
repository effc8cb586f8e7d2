"""Operator groups: Operations runs everything, Finance invoices and tracks, Viewer only
reads, with customers' e-mail, document and phone masked."""

import pytest
from django.contrib.auth.models import Group

from orders.models import CommandState, VtexCommand
from orders.selectors import mask_email, mask_tail
from tests.orders.factories import InvoiceFactory, OrderFactory, OrderItemFactory
from tests.orders.operations import (
    COMMAND_LIST,
    ORDER_LIST,
    login_fixture,  # noqa: F401 - fixture
    operation_url,
    order_page,
    post_action,
)

pytestmark = pytest.mark.django_db

OPERATIONS = ["start-handling", "invoice", "tracking-number", "tracking-events", "cancel"]
ALL_OPERATIONS = [*OPERATIONS, "return-and-cancel", "change", "refresh"]


def customer_order(**fields):
    order = OrderFactory(
        customer_email="joana.silva@example.com",
        customer_document="52998224725",
        customer_phone="+5511987654321",
        **fields,
    )
    OrderItemFactory(order=order, position=0)
    return order


def list_actions(client, url=ORDER_LIST) -> set[str]:
    """The actions the changelist offers (none at all: no action form)."""
    form = client.get(url).context["action_form"]
    if form is None:
        return set()
    return {name for name, _label in form.fields["action"].choices if name}


def test_the_groups_hold_the_documented_permissions():
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    actions = {
        "start_handling_order",
        "invoice_order",
        "track_order",
        "cancel_order",
        "register_order_change",
        "refresh_order",
        "retry_vtexcommand",
        "resolve_vtexcommand",
    }
    assert actions | {"view_customer_pii", "view_order"} <= codenames("Operations")
    assert codenames("Finance") & actions == {"invoice_order", "track_order"}
    assert "view_customer_pii" in codenames("Finance")
    viewer = codenames("Viewer")
    assert all(codename.startswith("view_") for codename in viewer)
    assert "view_customer_pii" not in viewer and "view_order" in viewer


def test_a_viewer_can_run_no_action(login, client):
    login("Viewer")
    ready = customer_order(status="ready-for-handling")
    handling = customer_order(status="handling")
    InvoiceFactory(order=handling, value=1000)

    assert list_actions(client) == set()
    response = post_action(client, "start_handling_selected", [ready])
    assert not VtexCommand.objects.exists()
    assert response.status_code in (200, 302)
    for order in (ready, handling):
        page = client.get(order_page(order)).content.decode()
        assert "data-operation=" not in page
        for name in ALL_OPERATIONS:
            assert client.get(operation_url(order, name)).status_code == 403
            assert client.post(operation_url(order, name), {"reason": "x"}).status_code == 403
    assert not VtexCommand.objects.exists()


def test_a_viewer_cannot_retry_or_resolve_commands(login, client):
    login("Viewer")
    order = customer_order(status="ready-for-handling")
    command = VtexCommand.objects.create(
        order=order,
        kind="start-handling",
        key=f"{order.vtex_order_id}:start-handling",
        state=CommandState.REJECTED,
    )

    assert client.get(COMMAND_LIST).status_code == 200
    assert list_actions(client, COMMAND_LIST) == set()
    post_action(client, "retry_now", [command], url=COMMAND_LIST)
    post_action(client, "mark_resolved", [command], url=COMMAND_LIST, apply="1", note="x")
    command.refresh_from_db()
    assert (command.state, command.resolved_at) == (CommandState.REJECTED, None)


def test_a_viewer_sees_no_full_customer_email_document_or_phone(login, client):
    login("Viewer")
    order = customer_order(status="handling")

    pages = client.get(order_page(order)).content.decode() + client.get(ORDER_LIST).content.decode()

    for secret in ("joana.silva@example.com", "52998224725", "+5511987654321", "987654321"):
        assert secret not in pages
    assert mask_email("joana.silva@example.com") in pages
    assert mask_tail("52998224725") in pages
    assert mask_tail("+5511987654321") in pages


def test_operations_see_the_full_customer_data(login, client):
    login("Operations")
    order = customer_order(status="handling")

    page = client.get(order_page(order)).content.decode()

    for value in ("joana.silva@example.com", "52998224725", "+5511987654321"):
        assert value in page


def test_finance_invoices_and_tracks_but_does_not_cancel_or_start(login, client):
    login("Finance")
    order = customer_order(status="handling")
    InvoiceFactory(order=order, value=1000, tracking_number="BR1")

    assert list_actions(client) == set()
    page = client.get(order_page(order)).content.decode()
    for allowed in ("invoice", "tracking-number", "tracking-events"):
        assert f'data-operation="{allowed}"' in page
        assert client.get(operation_url(order, allowed)).status_code == 200
    for refused in ("cancel", "change", "refresh", "start-handling"):
        assert f'data-operation="{refused}"' not in page
        assert client.post(operation_url(order, refused), {"reason": "x"}).status_code == 403
    assert "joana.silva@example.com" in page


def test_operations_get_every_list_action(login, client):
    login("Operations")
    assert list_actions(client) == {
        "start_handling_selected",
        "cancel_selected",
        "refresh_selected",
    }
    assert list_actions(client, COMMAND_LIST) == {"retry_now", "mark_resolved"}


def test_masks_keep_just_enough_to_tell_customers_apart():
    assert mask_email("joana.silva@example.com") == "j***@example.com"
    assert mask_email("") == ""
    assert mask_tail("52998224725") == "*********25"
    assert mask_tail("1234") == "****"
