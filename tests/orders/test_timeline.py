"""The order's timeline in words (orders.admin.timeline), beyond the browser's happy path: a
command given up, retried and resolved by operators, a command nobody asked for (automatic
start handling), and the CSV file a request came from."""

import pytest
from django.db import transaction
from django.urls import reverse

from core.actor import Actor
from orders.admin.timeline import timeline
from orders.models import EventType, OrderEvent
from orders.models.audit import CSV_FILE_KEY
from orders.operations.start_handling import order_start_handling
from outbox.delivery import commands_deliver
from outbox.models import CommandState, VtexCommand
from outbox.operator import command_mark_resolved, command_retry_now
from outbox.selectors import subject_commands
from tests.orders.factories import OrderEventFactory
from tests.orders.operations import mirrored_orders

pytestmark = pytest.mark.django_db

OMS_WRITES = {"paths": ["/api/oms/pvt/orders/"], "methods": ["POST"]}


def lines_of(order):
    events = list(
        OrderEvent.objects.filter(order=order)
        .select_related("actor_user")
        .order_by("created_at", "pk")
    )
    return [
        (line.what, line.who, str(line.answer))
        for line in timeline(events=events, commands=subject_commands(subject=order))
    ]


def test_a_command_given_up_then_retried_and_resolved_names_its_operators(
    vtex_store, login, settings, django_capture_on_commit_callbacks
):
    asked = login("Operations", username="joana")
    settings.VTEX_COMMAND_MAX_ATTEMPTS = 1
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    vtex_store.set_faults(rate_500=1.0, **OMS_WRITES)
    with transaction.atomic():
        command = order_start_handling(order=order, user=asked).command
    commands_deliver()
    command.refresh_from_db()
    assert command.state == CommandState.DEAD

    lines = lines_of(order)
    assert ("Asked VTEX for: start handling.", "joana", "") in lines
    [given_up] = [line for line in lines if line[0] == "Gave up sending: start handling."]
    assert given_up[1] == "joana"
    assert "VTEX failed on its side; the command is sent again later." in given_up[2]
    assert "500:" in given_up[2]

    retrier = login("Operations", username="marcos")
    vtex_store.clear_faults()
    with django_capture_on_commit_callbacks(execute=True):
        assert command_retry_now(command=command, user=retrier)
    lines = lines_of(order)
    assert ("Sent again now: start handling.", "marcos", "") in lines
    accepted = [line for line in lines if line[0] == "VTEX accepted: start handling."]
    assert accepted and accepted[-1][1] == "joana"

    # A command VTEX refused, settled by hand with a note.
    vtex_store.set_status(order.vtex_order_id, "ready-for-handling")
    with transaction.atomic():
        VtexCommand.objects.filter(pk=command.pk).update(state=CommandState.REJECTED)
        command.refresh_from_db()
        assert command_mark_resolved(command=command, user=retrier, note="Feito no painel")
    assert (
        "Marked resolved by hand: start handling. Note: Feito no painel",
        "marcos",
        "",
    ) in lines_of(order)


def test_a_command_nobody_asked_for_names_where_it_came_from(vtex_store, settings):
    settings.VTEX_AUTO_START_HANDLING = True
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    commands_deliver()

    lines = lines_of(order)

    assert ("Asked VTEX for: start handling.", "VTEX feed", "") in lines
    assert any(
        what == "VTEX accepted: start handling." and who == "VTEX feed" for what, who, _ in lines
    )
    assert not [line for line in lines if line[1] == "VTEX command delivery"]


def test_a_request_from_a_csv_file_names_the_file(admin_client, settings):
    settings.LANGUAGE_CODE = "en"
    event = OrderEventFactory(
        type=EventType.ACTION_REQUESTED,
        source=Actor.CSV,
        payload={
            "action": "invoice",
            "command": "x:invoice:NF9",
            "type": "Output",
            "number": "NF9",
            "value": 12345,
            CSV_FILE_KEY: "notas-2026-11-28.csv",
        },
    )

    [line] = timeline(events=[event], commands=[])
    page = admin_client.get(reverse("admin:orders_order_change", args=[event.order_id]))

    assert line.what == "Asked VTEX for: sale invoice NF9 of R$ 123.45."
    assert (line.who, line.csv_file) == ("CSV import", "notas-2026-11-28.csv")
    assert "(CSV file notas-2026-11-28.csv)" in page.content.decode()


def test_the_event_list_names_the_operator_behind_a_command(vtex_store, login, admin_client):
    operator = login("Operations", username="joana")
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    with transaction.atomic():
        order_start_handling(order=order, user=operator)
    commands_deliver()
    sent = OrderEvent.objects.get(order=order, type=EventType.COMMAND_SENT)

    page = admin_client.get(reverse("admin:orders_orderevent_changelist"))

    row = page.content.decode().split(f"/admin/orders/orderevent/{sent.pk}/change/")[1]
    row = row.split("</tr>")[0]
    assert "joana" in row
    assert "VTEX command delivery" not in row


def test_a_status_moved_elsewhere_is_not_credited_to_a_refused_command(vtex_store, login, settings):
    operator = login("Operations", username="joana")
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    # Someone moved the order in VTEX: VTEX refuses the start (OMS003), and the re-read after
    # the refusal mirrors the move.
    vtex_store.set_status(order.vtex_order_id, "handling")
    with transaction.atomic():
        order_start_handling(order=order, user=operator)
    commands_deliver()

    lines = lines_of(order)

    assert any(what == "VTEX refused: start handling." and who == "joana" for what, who, _ in lines)
    assert (
        "Status in VTEX went from Ready for handling to Handling (seen when the order was read "
        "again).",
        "VTEX",
        "",
    ) in lines
