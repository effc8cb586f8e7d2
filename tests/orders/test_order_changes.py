"""Order changes through VTEX's Order Modifications API, against the sandbox store (issue 11):
the operator builds the change on the order page, reads VTEX's preview (which changes
nothing), confirms; the change is sent once, VTEX processes it, and the mirror follows only
once VTEX says it is done. A change VTEX stops on error is retried or canceled from the order
page. What VTEX would refuse is refused before anything is sent."""

import html
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.timezone import localtime

from core.money import brl
from core.refusals import ActionRefused
from orders.models import ChangeStatus, EventType, OrderChange, OrderEvent
from orders.services.backfill import order_reconcile
from orders.services.changes import ChangeLine, order_change
from outbox.models import CommandState, VtexCommand
from tests.fixtures.recorder import RecordingServer
from tests.orders.operations import (
    COMMAND_LIST,
    change_form,
    confirmed,
    deliver_everything,
    form_errors,
    messages_of,
    mirrored_orders,
    operation_url,
    order_page,
    post_action,
    preview,
)

pytestmark = pytest.mark.django_db

MODIFICATIONS = "/api/order-system/"


def vtex_items(store, order):
    document = store.order(order.vtex_order_id)["order"]
    return document, sorted((item["id"], item["quantity"]) for item in document["items"])


def mirror_items(order):
    return sorted(order.items.values_list("sku_id", "quantity"))


def orders_paid_by(store, count, *, card: bool, units: int = 1):
    found = []
    while len(found) < count:
        [order] = mirrored_orders(store, 1, status="handling")
        held = sum(order.items.values_list("quantity", flat=True))
        if (order.payment_group == "creditCard") == card and held >= units:
            found.append(order)
    return found


def catalog_sku(store, order) -> str:
    """A SKU of the store's catalog that ``order`` does not have."""
    held = set(order.items.values_list("sku_id", flat=True))
    while True:
        [other] = store.create_orders(1, status="handling")
        for item in store.order(other)["order"]["items"]:
            if item["id"] not in held:
                return item["id"]


def modification_calls(store, method=None):
    return store.calls(method=method, path_contains=MODIFICATIONS)


# --- Preview, confirm, done -------------------------------------------------------------------


def test_a_preview_changes_nothing(vtex_store, login, client):
    login("Operations")
    [order] = orders_paid_by(vtex_store, 1, card=True, units=2)
    first = order.items.order_by("position").first()
    before, items_before = vtex_items(vtex_store, order)

    response = preview(
        client,
        order,
        change_form(client, order, discount_value="10.00", **{f"remove_{first.position}": "1"}),
    )

    page = response.content.decode()
    assert 'id="change-preview"' in page, form_errors(response)
    delta = 1000 + first.invoice_unit_price
    assert "The customer will be refunded" in page
    assert f"{(order.value - delta) / 100:,.2f}" in page
    after, items_after = vtex_items(vtex_store, order)
    assert (after["value"], items_after) == (before["value"], items_before)
    assert [c["method"] for c in modification_calls(vtex_store)] == ["POST"]
    assert not VtexCommand.objects.exists()
    assert not OrderChange.objects.exists()


def test_a_confirmed_change_ends_done_and_the_mirror_equals_vtex(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    user = login("Operations")
    [order] = orders_paid_by(vtex_store, 1, card=True, units=2)
    first = order.items.order_by("position").first()
    new_sku = catalog_sku(vtex_store, order)
    data = change_form(
        client,
        order,
        discount_value="5.00",
        **{
            f"remove_{first.position}": "1",
            "added-0-sku_id": new_sku,
            "added-0-quantity": "2",
        },
    )
    previewed = preview(client, order, data)

    response = confirmed(client, order, data, previewed, django_capture_on_commit_callbacks)

    assert response.status_code == 302, form_errors(response)
    assert "Order change queued for" in " ".join(messages_of(response))
    change = OrderChange.objects.get()
    assert change.status == ChangeStatus.DONE
    assert change.requested_by == user
    assert [entry["status"] for entry in change.logs] == [
        "waiting-acknowledgement",
        "waiting-confirmation",
        "done",
    ]
    document, items = vtex_items(vtex_store, order)
    order.refresh_from_db()
    assert mirror_items(order) == items
    assert order.value == document["value"]
    assert (new_sku, 2) in items
    [patch] = modification_calls(vtex_store, "PATCH")
    assert patch["body"]["add"] == {"items": [{"id": new_sku, "quantity": 2}]}
    assert patch["body"]["manualDiscountValue"] == 500
    types = list(
        OrderEvent.objects.filter(order=order, type__startswith="change_")
        .order_by("pk")
        .values_list("type", flat=True)
    )
    assert types == [
        EventType.CHANGE_CONFIRMED,
        EventType.CHANGE_REQUESTED,
        EventType.CHANGE_DONE,
    ]
    confirmed_event = OrderEvent.objects.get(order=order, type=EventType.CHANGE_CONFIRMED)
    assert confirmed_event.actor_user == user
    assert confirmed_event.payload["preview"]["new_value"] == document["value"]
    requested = OrderEvent.objects.get(order=order, type=EventType.CHANGE_REQUESTED)
    assert requested.receipt == change.vtex_request_id
    page = client.get(order_page(order)).content.decode()
    assert 'data-change-status="done"' in page


def test_an_item_replaced_by_another_sku(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    [order] = orders_paid_by(vtex_store, 1, card=True)
    item = order.items.order_by("position").first()
    new_sku = catalog_sku(vtex_store, order)
    data = change_form(
        client,
        order,
        reason="Troca de cor",
        **{
            "replaced-0-sku_id": item.sku_id,
            "replaced-0-quantity": "1",
            "replaced-0-new_sku_id": new_sku,
            "replaced-0-new_quantity": "1",
        },
    )

    response = confirmed(
        client, order, data, preview(client, order, data), django_capture_on_commit_callbacks
    )

    assert response.status_code == 302, form_errors(response)
    [patch] = modification_calls(vtex_store, "PATCH")
    assert patch["body"]["replace"] == [
        {
            "from": {"items": [{"id": item.sku_id, "quantity": 1}]},
            "to": {"items": [{"id": new_sku, "quantity": 1}]},
        }
    ]
    assert OrderChange.objects.get().status == ChangeStatus.DONE
    document, items = vtex_items(vtex_store, order)
    order.refresh_from_db()
    assert mirror_items(order) == items
    assert (new_sku, 1) in items
    assert order.value == document["value"]


def test_a_double_submit_makes_one_change(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    data = change_form(client, order, discount_value="1.00")
    previewed = preview(client, order, data)

    first = confirmed(client, order, data, previewed, django_capture_on_commit_callbacks)
    second = confirmed(client, order, data, previewed, django_capture_on_commit_callbacks)

    assert (first.status_code, second.status_code) == (302, 302)
    assert "Already queued earlier" in " ".join(messages_of(second))
    assert len(modification_calls(vtex_store, "PATCH")) == 1
    [command] = VtexCommand.objects.filter(kind="change")
    assert command.key == f"{order.vtex_order_id}:change:{data['request_id']}"
    assert OrderChange.objects.count() == 1
    assert vtex_store.order(order.vtex_order_id)["order"]["value"] == order.value - 100


def test_a_change_edited_after_its_preview_is_previewed_again(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    data = change_form(client, order, discount_value="1.00")
    previewed = preview(client, order, data)

    edited = {**data, "discount_value": "2.00"}
    response = confirmed(client, order, edited, previewed, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert 'id="change-preview"' in response.content.decode()
    assert not VtexCommand.objects.exists()


# --- Stopped on error: retry, cancel ----------------------------------------------------------


def stopped_change(store, client, order, on_commit):
    store.set_options(change_stops=1)
    data = change_form(client, order, discount_value="2.00")
    confirmed(client, order, data, preview(client, order, data), on_commit)
    change = OrderChange.objects.get()
    assert change.status == ChangeStatus.ERROR
    return change


def test_a_change_that_stops_later_is_found_by_the_reconciliation(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    """A change stopping on error sends no feed event: the hourly reconciliation reads the
    history of changes still in progress."""
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    vtex_store.set_options(change_delay=0.2, change_stops=1)
    data = change_form(client, order, discount_value="2.00")
    confirmed(client, order, data, preview(client, order, data), django_capture_on_commit_callbacks)
    change = OrderChange.objects.get()
    assert change.status == ChangeStatus.WAITING_ACKNOWLEDGEMENT
    vtex_store.advance_clock(0.6)

    result = order_reconcile(unchanged_for=timedelta(hours=6))

    assert result.changes_moved == 1
    change.refresh_from_db()
    assert change.status == ChangeStatus.ERROR
    assert OrderEvent.objects.filter(order=order, type=EventType.CHANGE_STOPPED).exists()


def test_a_change_stopped_on_error_is_retried_from_the_order_page(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    user = login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    value = order.value
    change = stopped_change(vtex_store, client, order, django_capture_on_commit_callbacks)
    stopped = OrderEvent.objects.get(order=order, type=EventType.CHANGE_STOPPED)
    assert "refused the new value" in stopped.payload["message"]
    page = client.get(order_page(order)).content.decode()
    assert 'data-change-status="error"' in page
    assert 'data-change-action="retry"' in page
    assert 'data-change-action="cancel"' in page
    order.refresh_from_db()
    assert order.value == value

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(operation_url(order, "change-retry"))

    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.DONE
    retried = OrderEvent.objects.get(order=order, type=EventType.CHANGE_RETRIED)
    assert retried.actor_user == user
    [retry] = modification_calls(vtex_store, "POST")[-1:]
    assert retry["path"].endswith(f"/changes/{change.vtex_request_id}/retry")
    order.refresh_from_db()
    assert order.value == value - 200
    assert 'data-change-action="retry"' not in client.get(order_page(order)).content.decode()


def test_a_change_stopped_on_error_is_canceled_from_the_order_page(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    user = login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    value = order.value
    change = stopped_change(vtex_store, client, order, django_capture_on_commit_callbacks)

    assert client.get(operation_url(order, "change-cancel")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            operation_url(order, "change-cancel"), {"reason": "Cliente desistiu"}
        )

    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.CANCELED
    canceled = OrderEvent.objects.get(order=order, type=EventType.CHANGE_CANCELED)
    assert (canceled.actor_user, canceled.payload["reason"]) == (user, "Cliente desistiu")
    sent = modification_calls(vtex_store, "POST")[-1]
    assert sent["path"].endswith(f"/changes/{change.vtex_request_id}/cancel")
    assert sent["body"] == {"reason": "Cliente desistiu"}
    order.refresh_from_db()
    assert order.value == value == vtex_store.order(order.vtex_order_id)["order"]["value"]
    # Canceled, the order takes a new change again.
    assert 'data-operation="change"' in client.get(order_page(order)).content.decode()


def test_retry_and_cancel_need_the_change_permission(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations", username="ops")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    stopped_change(vtex_store, client, order, django_capture_on_commit_callbacks)
    login("Viewer")

    assert client.post(operation_url(order, "change-retry")).status_code == 403
    assert client.post(operation_url(order, "change-cancel"), {"reason": "x"}).status_code == 403
    assert 'data-change-action="retry"' not in client.get(order_page(order)).content.decode()
    assert not VtexCommand.objects.filter(kind__in=("change-retry", "change-cancel")).exists()


# --- Refused before anything is sent ----------------------------------------------------------


def test_a_status_vtex_refuses(vtex_store, login, client):
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")

    page = client.get(operation_url(order, "change")).content.decode()

    assert "an order change is not possible in this status" in page
    with pytest.raises(ActionRefused, match="an order change is not possible"):
        order_change(order=order, user=None, reason="x", discount_value=1)
    assert modification_calls(vtex_store) == []
    assert not VtexCommand.objects.exists()


def test_removing_more_than_the_order_has(vtex_store, login, client):
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    item = order.items.order_by("position").first()

    response = client.post(
        operation_url(order, "change"),
        change_form(client, order, **{f"remove_{item.position}": str(item.quantity + 1)}),
    )
    replaced = client.post(
        operation_url(order, "change"),
        change_form(
            client,
            order,
            **{
                "replaced-0-sku_id": item.sku_id,
                "replaced-0-quantity": str(item.quantity + 1),
                "replaced-0-new_sku_id": item.sku_id,
                "replaced-0-new_quantity": "1",
            },
        ),
    )

    assert f"The order has {item.quantity} of this item: no more can be removed." in form_errors(
        response
    )
    assert f"cannot remove {item.quantity + 1}" in form_errors(replaced)
    with pytest.raises(ActionRefused, match="cannot remove"):
        order_change(
            order=order,
            user=None,
            reason="x",
            items_removed=[ChangeLine(sku_id=item.sku_id, quantity=item.quantity + 1, price=1)],
        )
    assert modification_calls(vtex_store) == []


def test_a_price_increase_on_a_payment_vtex_cannot_charge_again(vtex_store, login, client):
    login("Operations")
    [order] = orders_paid_by(vtex_store, 1, card=False)
    new_sku = catalog_sku(vtex_store, order)

    increment = client.post(
        operation_url(order, "change"), change_form(client, order, increment_value="5.00")
    )
    added = client.post(
        operation_url(order, "change"),
        change_form(client, order, **{"added-0-sku_id": new_sku, "added-0-quantity": "1"}),
    )

    refusal = (
        f"This change raises the price of order {order.vtex_order_id}, paid by "
        f"{order.payment_method}: VTEX only charges a price increase to orders paid by credit "
        "card, promissory note, cash or credit control."
    )
    assert refusal in form_errors(increment)
    assert refusal in form_errors(added)
    # The increment is refused before asking VTEX; the added item's price is VTEX's, read
    # in the preview (a read): nothing is created.
    assert [c["method"] for c in modification_calls(vtex_store)] == ["POST"]
    assert not VtexCommand.objects.exists()


def test_an_empty_change(vtex_store, login, client):
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")

    response = client.post(operation_url(order, "change"), change_form(client, order))

    assert (
        "The change changes nothing: remove, replace or add items, or give a value."
        in form_errors(response)
    )
    assert modification_calls(vtex_store) == []


def test_another_change_while_one_is_open(vtex_store):
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    with transaction.atomic():
        first = order_change(order=order, user=None, reason="um", discount_value=100)
    assert first.created and first.command.state == CommandState.PENDING

    with pytest.raises(ActionRefused, match="order change still open"):
        order_change(order=order, user=None, reason="dois", discount_value=100)


# --- VTEX down or refusing during the preview -------------------------------------------------


def test_vtex_down_during_the_preview_is_a_form_error(vtex_store, login, client):
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    data = change_form(client, order, discount_value="1.00")
    vtex_store.set_faults(rate_503=1.0, paths=[MODIFICATIONS])

    response = client.post(operation_url(order, "change"), data)

    assert response.status_code == 200
    assert "VTEX could not preview this change now" in form_errors(response)
    assert "nothing was sent" in form_errors(response)
    vtex_store.server.stop()
    try:
        down = client.post(operation_url(order, "change"), data)
    finally:
        vtex_store.server.start()
    assert down.status_code == 200
    assert "VTEX could not preview this change now" in form_errors(down)
    assert not VtexCommand.objects.exists()


def test_a_preview_answer_without_totals_is_a_form_error(vtex_store, login, client, settings):
    """A 2xx that is not VTEX's preview (an empty answer from something in between) gives
    nothing to confirm on."""
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    data = change_form(client, order, discount_value="1.00")
    between = RecordingServer(lambda request: (200, None))
    settings.VTEX_BASE_URL = between.url
    try:
        response = client.post(operation_url(order, "change"), data)
    finally:
        between.close()

    [asked] = between.requests
    assert asked["path"] == f"/api/order-system/orders/{order.vtex_order_id}/changes/preview"

    assert response.status_code == 200
    assert "its answer had no new totals" in form_errors(response)
    assert 'name="confirm"' not in response.content.decode()


def test_vtex_refusing_the_preview_is_a_form_error_explained_beside_vtexs_words(
    vtex_store, login, client
):
    login("Operations")
    [order] = orders_paid_by(vtex_store, 1, card=True)
    data = change_form(client, order, **{"added-0-sku_id": "999999", "added-0-quantity": "1"})

    response = client.post(operation_url(order, "change"), data)

    assert response.status_code == 200
    raw = (
        f"POST /api/order-system/orders/{order.vtex_order_id}/changes/preview: 400 "
        "SBX-CHANGE-SKU SKU 999999 was not found in the catalog"
    )
    assert (
        f"VTEX refused this change: VTEX's catalog has no SKU with this id. (VTEX: “{raw}”)"
    ) in form_errors(response)
    assert not VtexCommand.objects.exists()

    client.cookies["django_language"] = "pt-br"
    response = client.post(operation_url(order, "change"), data)
    assert (
        "A VTEX recusou esta alteração: O catálogo da VTEX não tem SKU com este id. "
        f"(VTEX: “{raw}”)"
    ) in form_errors(response)


# --- The legacy API -----------------------------------------------------------------------------


def test_the_legacy_setting_sends_register_change(
    vtex_store, login, client, settings, django_capture_on_commit_callbacks
):
    settings.VTEX_ORDER_CHANGES_API = "legacy"
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    data = change_form(
        client,
        order,
        discount_value="10.00",
        **{"added-0-sku_id": "99001", "added-0-quantity": "1", "added-0-price": "25.50"},
    )
    previewed = preview(client, order, data)
    assert "The customer will be charged R$ 15.50 more." in previewed.content.decode(), form_errors(
        previewed
    )

    response = confirmed(client, order, data, previewed, django_capture_on_commit_callbacks)

    assert response.status_code == 302, form_errors(response)
    [change] = vtex_store.order(order.vtex_order_id)["changes"]
    assert change["discountValue"] == 1000
    assert change["itemsAdded"] == [{"id": "99001", "price": 2550, "quantity": 1}]
    assert modification_calls(vtex_store) == []
    order.refresh_from_db()
    assert order.value == vtex_store.order(order.vtex_order_id)["order"]["value"]
    # RegisterChange answers synchronously: its receipt means done, and the order takes
    # another change.
    assert OrderChange.objects.get().status == ChangeStatus.DONE
    assert (
        OrderEvent.objects.get(order=order, type=EventType.CHANGE_DONE).receipt
        == (change["receipt"])
    )
    assert 'data-operation="change"' in client.get(order_page(order)).content.decode()


def test_outbox_resend_of_a_lost_create_finds_it_in_the_history(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    """VTEX applied the create but its answer was lost: the retry finds the change in VTEX's
    history by its marker instead of creating a second one."""
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    vtex_store.set_faults(
        rate_500=1.0, fail_after_apply=True, paths=[MODIFICATIONS], methods=["PATCH"]
    )
    data = change_form(client, order, discount_value="1.00")
    confirmed(client, order, data, preview(client, order, data), django_capture_on_commit_callbacks)
    vtex_store.clear_faults()

    deliver_everything()

    assert len(modification_calls(vtex_store, "PATCH")) == 1
    command = VtexCommand.objects.get(kind="change")
    assert command.state == CommandState.SUCCEEDED
    change = OrderChange.objects.get()
    assert change.vtex_request_id
    assert change.status == ChangeStatus.DONE
    assert uuid.UUID(hex=change.request_token)


def test_a_change_whose_command_is_resolved_by_hand_frees_the_order_for_another(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    """VTEX keeps failing the create; an operator closes its command by hand in the command
    list: the change ends there, and the order takes another change."""
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    vtex_store.set_faults(rate_500=1.0, paths=[MODIFICATIONS], methods=["PATCH"])
    data = change_form(client, order, discount_value="1.00")
    confirmed(client, order, data, preview(client, order, data), django_capture_on_commit_callbacks)
    command = VtexCommand.objects.get(kind="change")
    assert command.state == CommandState.RETRYING
    vtex_store.clear_faults()

    post_action(
        client, "mark_resolved", [command], url=COMMAND_LIST, apply="1", note="Feito na VTEX"
    )

    command.refresh_from_db()
    assert command.state == CommandState.DEAD
    change = OrderChange.objects.get()
    assert change.status == ChangeStatus.CANCELED
    assert "Feito na VTEX" in change.message
    another = change_form(client, order, discount_value="2.00")
    response = client.post(operation_url(order, "change"), another)
    assert response.status_code == 200
    assert 'id="change-preview"' in response.content.decode()


def test_an_order_with_a_change_open_in_vtex_is_not_invoiced_meanwhile(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    """VTEX mixes up concurrent changes and invoices: while a change is processed, the
    invoice button is unavailable with why, the invoice page says why, and nothing is sent."""
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    vtex_store.set_options(change_delay=30)
    data = change_form(client, order, discount_value="1.00")
    confirmed(client, order, data, preview(client, order, data), django_capture_on_commit_callbacks)
    assert OrderChange.objects.get().status in (
        ChangeStatus.REQUESTED,
        ChangeStatus.WAITING_ACKNOWLEDGEMENT,
    )
    vtex_store.clear_calls()

    page = client.get(order_page(order)).content.decode()
    form = client.get(operation_url(order, "invoice"))

    assert 'data-operation="invoice"' not in page
    assert "order change still open in VTEX" in html.unescape(page)
    assert "order change still open in VTEX" in html.unescape(form.content.decode())
    assert not VtexCommand.objects.filter(kind="invoice").exists()
    assert vtex_store.calls(path_contains="/invoice") == []


def test_the_order_page_says_what_a_change_changed_and_vtexs_log_in_local_time(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    [order] = orders_paid_by(vtex_store, 1, card=True, units=2)
    first = order.items.order_by("position").first()
    new_sku = catalog_sku(vtex_store, order)
    data = change_form(
        client,
        order,
        reason="Cliente desistiu de um item",
        discount_value="5,00",
        **{
            f"remove_{first.position}": "1",
            "added-0-sku_id": new_sku,
            "added-0-quantity": "2",
        },
    )
    before = order.value
    response = confirmed(
        client, order, data, preview(client, order, data), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302, form_errors(response)
    change = OrderChange.objects.get()
    after = before + change.total_change_value

    client.cookies["django_language"] = "pt-br"
    page = html.unescape(client.get(order_page(order)).content.decode())

    timeline = page.split('id="order-timeline"')[1]
    lines = (
        f"1 unidade do SKU {first.sku_id} removida; 2 unidades do SKU {new_sku} adicionadas; "
        "desconto de R$ 5,00"
    )
    reason = "motivo: “Cliente desistiu de um item”"
    assert f"Solicitado à VTEX: alteração do pedido ({reason}): {lines}." in timeline
    assert "Confirmada após a prévia da VTEX: alteração do pedido" in timeline
    assert f"O valor do pedido vai de {brl_pt(before)} para {brl_pt(after)}." in timeline
    assert "motivo: “”" not in timeline

    block = page.split('id="order-changes"')[1].split('id="order-timeline"')[0]
    assert f"1 unidade do SKU {first.sku_id} removida" in block
    # VTEX's log: its UTC dates in São Paulo's time, its statuses in Portuguese.
    for entry in change.logs:
        when = localtime(parse_datetime(entry["date"]))
        assert when.strftime("%d/%m/%Y %H:%M") in block
        assert entry["date"] not in block
    assert "Aguardando confirmação" in block and "waiting-confirmation" not in block.replace(
        'data-change-status="done"', ""
    )


def brl_pt(cents: int) -> str:
    with translation.override("pt-br"):
        return brl(cents)
