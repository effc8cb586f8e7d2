"""Start handling (from the list, and automatically after import) and refresh from VTEX."""

import pytest
from django.db import transaction

from core.actor import Actor
from orders.models import EventType, OrderEvent
from orders.services.mirror import order_sync
from outbox.models import CommandState, VtexCommand
from tests.orders.operations import (
    COMMAND_LIST,
    ORDER_LIST,
    messages_of,
    mirrored_orders,
    operation_url,
    order_page,
    post_action,
)

pytestmark = pytest.mark.django_db


def test_start_handling_reports_per_order_what_was_queued_and_what_was_refused(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    user = login("Operations")
    ready = mirrored_orders(vtex_store, 2, status="ready-for-handling")
    [invoiced] = mirrored_orders(vtex_store, 1, status="invoiced")

    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(client, "start_handling_selected", [*ready, invoiced])

    shown = messages_of(response)
    ids = ", ".join(order.vtex_order_id for order in ready)
    assert f"Start handling queued for: {ids}." in shown
    assert (
        f"{invoiced.vtex_order_id} refused: The order is Invoiced in VTEX: "
        "start handling is not possible in this status."
    ) in shown
    for order in ready:
        assert vtex_store.order(order.vtex_order_id)["start_handling_calls"] == 1
        order.refresh_from_db()
        assert order.status == "handling"
        event = OrderEvent.objects.get(order=order, type=EventType.ACTION_REQUESTED)
        assert (event.actor_user, event.payload["action"]) == (user, "start-handling")
    assert vtex_store.order(invoiced.vtex_order_id)["start_handling_calls"] == 0
    assert not VtexCommand.objects.filter(order=invoiced).exists()


def test_start_handling_is_never_asked_twice_for_an_order(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    # VTEX still shows ready-for-handling a moment after accepting the request.
    vtex_store.set_options(transition_delay=30)
    with django_capture_on_commit_callbacks(execute=True):
        post_action(client, "start_handling_selected", [order])
    order.refresh_from_db()
    assert order.status in ("ready-for-handling", "start-handling")
    order.status = "ready-for-handling"
    order.save(update_fields=["status"])

    with django_capture_on_commit_callbacks(execute=True):
        again = post_action(client, "start_handling_selected", [order])

    assert (
        f"{order.vtex_order_id} refused: Start handling was already requested for this order "
        "(Succeeded)."
    ) in messages_of(again)
    assert VtexCommand.objects.filter(kind="start-handling").count() == 1
    assert vtex_store.order(order.vtex_order_id)["start_handling_calls"] == 1


def test_start_handling_from_the_order_page(vtex_store, login, client):
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    page = client.get(order_page(order)).content.decode()
    assert 'data-operation="start-handling"' in page
    assert 'data-operation="change"' not in page

    assert client.get(operation_url(order, "start-handling")).status_code == 405
    response = client.post(operation_url(order, "start-handling"))

    assert response.status_code == 302 and response.url == order_page(order)
    assert VtexCommand.objects.get(order=order).kind == "start-handling"
    page = client.get(order_page(order)).content.decode()
    assert 'data-operation="start-handling"' not in page
    assert 'data-command-state="pending"' in page


def test_orders_imported_ready_for_handling_start_automatically_once(
    vtex_store, settings, django_capture_on_commit_callbacks
):
    settings.VTEX_AUTO_START_HANDLING = True
    [order_id] = vtex_store.create_orders(1, status="ready-for-handling")

    with django_capture_on_commit_callbacks(execute=True):
        order_sync(vtex_order_id=order_id, source=Actor.FEED)
    with django_capture_on_commit_callbacks(execute=True):
        order_sync(vtex_order_id=order_id, source=Actor.FEED)

    command = VtexCommand.objects.get()
    assert (command.kind, command.source, command.requested_by) == (
        "start-handling",
        Actor.FEED,
        None,
    )
    assert command.state == CommandState.SUCCEEDED
    assert vtex_store.order(order_id)["start_handling_calls"] == 1
    event = OrderEvent.objects.get(type=EventType.ACTION_REQUESTED)
    assert (event.source, event.actor_user) == (Actor.FEED, None)


def test_orders_are_not_started_automatically_when_the_setting_is_off(vtex_store, settings):
    settings.VTEX_AUTO_START_HANDLING = False
    [order_id] = vtex_store.create_orders(1, status="ready-for-handling")

    with transaction.atomic():
        order_sync(vtex_order_id=order_id, source=Actor.FEED)

    assert not VtexCommand.objects.exists()


def test_refresh_mirrors_what_vtex_says_now(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    user = login("Operations")
    orders = mirrored_orders(vtex_store, 2, status="ready-for-handling")
    for order in orders:
        vtex_store.set_status(order.vtex_order_id, "canceled")

    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(client, "refresh_selected", orders)

    ids = ", ".join(order.vtex_order_id for order in orders)
    assert f"Refresh queued for: {ids}." in messages_of(response)
    for order in orders:
        order.refresh_from_db()
        assert order.status == "canceled"
        changed = OrderEvent.objects.get(order=order, type=EventType.STATUS_CHANGED)
        assert (changed.from_status, changed.source) == ("ready-for-handling", Actor.OUTBOX)
        requested = OrderEvent.objects.get(order=order, type=EventType.ACTION_REQUESTED)
        assert requested.actor_user == user
    assert set(VtexCommand.objects.values_list("state", flat=True)) == {CommandState.SUCCEEDED}


def test_list_actions_are_those_of_the_user(vtex_store, login, client):
    login("Operations")
    actions = client.get(ORDER_LIST).context["action_form"].fields["action"].choices
    names = {name for name, _label in actions}
    assert {"start_handling_selected", "cancel_selected", "refresh_selected"} <= names


def test_refusals_speak_the_operators_language(vtex_store, login, client, settings):
    login("Operations")
    settings.LANGUAGE_CODE = "pt-br"
    [invoiced] = mirrored_orders(vtex_store, 1, status="invoiced")

    response = post_action(client, "start_handling_selected", [invoiced])

    assert (
        f"{invoiced.vtex_order_id} recusado: O pedido está em "
        "“Faturado” na VTEX: o início do manuseio não é possível neste status."
    ) in messages_of(response)


def test_retry_now_refuses_a_rejected_command_a_newer_request_replaced(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    vtex_store.set_status(order.vtex_order_id, "handling")
    with django_capture_on_commit_callbacks(execute=True):
        post_action(client, "start_handling_selected", [order])
    rejected = VtexCommand.objects.get()
    assert rejected.state == CommandState.REJECTED
    # VTEX moved back; the operator asks again: the new request takes the key over.
    vtex_store.set_status(order.vtex_order_id, "ready-for-handling")
    order_sync(vtex_order_id=order.vtex_order_id, source=Actor.FEED)
    with django_capture_on_commit_callbacks(execute=True):
        post_action(client, "start_handling_selected", [order])
    rejected.refresh_from_db()
    current = VtexCommand.objects.get(key=f"{order.vtex_order_id}:start-handling")
    assert rejected.key == f"{current.key}~{rejected.pk}"
    assert current.state == CommandState.SUCCEEDED
    calls = vtex_store.order(order.vtex_order_id)["start_handling_calls"]

    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(client, "retry_now", [rejected], url=COMMAND_LIST)

    assert (
        f"{rejected.key} was replaced by a newer request ({current.key}); retry that one "
        "instead, this one is never sent again."
    ) in messages_of(response)
    rejected.refresh_from_db()
    assert rejected.state == CommandState.REJECTED
    assert vtex_store.order(order.vtex_order_id)["start_handling_calls"] == calls
