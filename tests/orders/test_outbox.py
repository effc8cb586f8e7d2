"""The outbox against the sandbox over HTTP: delivery after commit, VTEX's refusals, retries
that re-read before resending, 429 pauses, per-order ordering, stuck and lost commands,
an outage, and forty invoices under injected faults.

Delivery runs in Celery's eager mode (see the vtex_store fixture in tests/conftest.py).
"""

import html
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.actor import Actor
from orders.models import EventType, OrderEvent
from orders.operations.invoice import InvoiceLine, InvoiceRequest, invoice_submit
from orders.operations.refresh import order_refresh
from orders.operations.start_handling import order_start_handling
from orders.operations.tracking import invoice_tracking_set
from outbox.delivery import commands_deliver
from outbox.enqueue import command_enqueue
from outbox.models import CommandAttempt, CommandState, CommandTarget, DeliveryPause, VtexCommand
from outbox.operator import command_mark_resolved, command_retry_now
from outbox.sweep import commands_sweep
from outbox.tasks import commands_sweep_task
from tests.fixtures.recorder import RecordingServer
from tests.orders.factories import OrderFactory, OrderItemFactory
from tests.orders.operations import (
    COMMAND_LIST,
    deliver_everything,
    invoice_form,
    messages_of,
    mirrored_orders,
    operation_url,
    order_page,
    post_action,
    sandbox_invoices,
)

pytestmark = pytest.mark.django_db

OMS_WRITES = {"paths": ["/api/oms/pvt/orders/"], "methods": ["POST", "PATCH", "PUT"]}


def first_line(order) -> list[InvoiceLine]:
    item = order.items.order_by("position").first()
    return [InvoiceLine(position=item.position, quantity=1)]


def test_an_admin_action_is_delivered_after_commit(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    user = login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_action(client, "start_handling_selected", [order])

    assert len(callbacks) == 1
    assert f"Start handling queued for: {order.vtex_order_id}." in messages_of(response)
    assert vtex_store.order(order.vtex_order_id)["start_handling_calls"] == 1
    command = VtexCommand.objects.get()
    assert command.state == CommandState.SUCCEEDED
    assert command.requested_by == user
    attempt = command.attempt_log.get()
    assert (attempt.method, attempt.response_status, attempt.outcome) == ("POST", 204, "succeeded")
    assert attempt.path.endswith(f"/{order.vtex_order_id}/start-handling")
    assert attempt.task_id
    # VTEX moves the order on its own; the re-read after success mirrors it.
    order.refresh_from_db()
    assert order.status == "handling"
    requested = OrderEvent.objects.get(order=order, type=EventType.ACTION_REQUESTED)
    assert (requested.actor_user, requested.source) == (user, Actor.ADMIN)
    assert OrderEvent.objects.filter(order=order, type=EventType.COMMAND_SENT).exists()
    assert OrderEvent.objects.filter(
        order=order, type=EventType.STATUS_CHANGED, to_status="handling", source=Actor.OUTBOX
    ).exists()


def test_nothing_is_written_or_sent_when_the_transaction_rolls_back(vtex_store):
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")

    with pytest.raises(RuntimeError), transaction.atomic():
        order_start_handling(order=order, user=None)
        raise RuntimeError("the local change failed")

    assert not VtexCommand.objects.exists()
    assert not OrderEvent.objects.filter(type=EventType.ACTION_REQUESTED).exists()
    assert vtex_store.order(order.vtex_order_id)["start_handling_calls"] == 0


def test_a_vtex_refusal_is_shown_to_operators_with_vtex_message(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    # Someone started handling in VTEX's own admin: the mirror does not know yet.
    vtex_store.set_status(order.vtex_order_id, "handling")

    with django_capture_on_commit_callbacks(execute=True):
        post_action(client, "start_handling_selected", [order])

    command = VtexCommand.objects.get()
    assert command.state == CommandState.REJECTED
    assert command.last_error_code == "OMS003"
    assert "should be ready-for-handling" in command.last_error_message
    page = client.get(order_page(order)).content.decode()
    assert "OMS003: Order status should be ready-for-handling" in page
    listing = client.get(COMMAND_LIST, {"state__exact": "rejected"}).content.decode()
    assert command.key in listing and "Order status should be ready-for-handling" in listing
    rejected = OrderEvent.objects.get(order=order, type=EventType.COMMAND_REJECTED)
    assert rejected.payload["code"] == "OMS003"
    # The rejection made the mirror catch up with VTEX.
    order.refresh_from_db()
    assert order.status == "handling"


def test_a_5xx_after_the_effect_is_verified_by_a_reread_not_resent(vtex_store):
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    vtex_store.set_faults(rate_500=1.0, fail_after_apply=True, **OMS_WRITES)
    with transaction.atomic():
        command = invoice_submit(
            InvoiceRequest(order=order, number="NF1", issued_at=timezone.now()), user=None
        ).command

    commands_deliver()

    command.refresh_from_db()
    assert (command.state, command.needs_verification, command.attempts) == (
        CommandState.RETRYING,
        True,
        1,
    )
    assert len(sandbox_invoices(vtex_store, order)["NF1"]["receipts"]) == 1
    vtex_store.clear_faults()

    deliver_everything()

    command.refresh_from_db()
    assert command.state == CommandState.SUCCEEDED
    outcomes = list(command.attempt_log.values_list("method", "response_status", "outcome"))
    assert outcomes == [("POST", 500, "failed"), ("GET", 200, "already-applied")]
    assert len(sandbox_invoices(vtex_store, order)["NF1"]["receipts"]) == 1
    assert len(vtex_store.calls(method="POST", path_contains="/invoice")) == 1
    assert order.invoices.get().number == "NF1"


def test_a_5xx_before_the_effect_is_resent_once_after_a_reread(vtex_store):
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    vtex_store.set_faults(rate_500=1.0, **OMS_WRITES)
    with transaction.atomic():
        command = invoice_submit(
            InvoiceRequest(order=order, number="NF1", issued_at=timezone.now()), user=None
        ).command
    commands_deliver()
    vtex_store.clear_faults()

    deliver_everything()

    command.refresh_from_db()
    assert command.state == CommandState.SUCCEEDED
    assert [a.outcome for a in command.attempt_log.all()] == ["failed", "succeeded"]
    assert len(vtex_store.calls(method="POST", path_contains="/invoice")) == 2
    assert len(sandbox_invoices(vtex_store, order)["NF1"]["receipts"]) == 1


def test_a_429_pauses_all_delivery_for_retry_after(vtex_store, settings):
    # One command at a time, so the second is not yet on its way when the 429 comes (with
    # threads, what is in flight already cannot be called back: tests/outbox/
    # test_concurrent_delivery.py bounds that).
    settings.VTEX_COMMAND_DELIVERY_THREADS = 1
    first, second = mirrored_orders(vtex_store, 2, status="ready-for-handling")
    vtex_store.set_faults(rate_429=1.0, retry_after=0.4, **OMS_WRITES)
    with transaction.atomic():
        one = order_start_handling(order=first, user=None).command
        two = order_start_handling(order=second, user=None).command

    commands_deliver()
    commands_deliver()

    one.refresh_from_db()
    two.refresh_from_db()
    assert DeliveryPause.objects.get(target="store").until > timezone.now()
    # The first got the 429; the second was not even sent: the whole outbox waits.
    assert len(vtex_store.calls(method="POST", path_contains="/start-handling")) == 1
    assert (one.state, one.attempts, one.last_error_code) == (CommandState.PENDING, 0, "429")
    assert one.next_attempt_at >= DeliveryPause.objects.get().until - timedelta(seconds=0.01)
    assert (two.state, two.attempts, two.attempt_log.count()) == (CommandState.PENDING, 0, 0)
    assert commands_sweep().dispatched == 0
    vtex_store.clear_faults()

    deliver_everything()

    assert {c.state for c in VtexCommand.objects.all()} == {CommandState.SUCCEEDED}
    statuses = [
        call["status"]
        for call in vtex_store.calls(method="POST", path_contains=first.vtex_order_id)
    ]
    assert statuses == [429, 204]
    assert vtex_store.order(second.vtex_order_id)["start_handling_calls"] == 1


def test_commands_of_one_order_go_out_in_the_order_they_were_made(vtex_store):
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    vtex_store.set_faults(rate_500=1.0, paths=["/api/oms/pvt/orders/"], methods=["POST"])
    with transaction.atomic():
        invoice_submit(
            InvoiceRequest(order=order, number="NF1", issued_at=timezone.now()), user=None
        )
        tracking = invoice_tracking_set(
            order=order, user=None, invoice_number="NF1", tracking_number="BR123"
        ).command

    commands_deliver()
    # The invoice failed; its tracking waits instead of meeting a 404.
    assert not vtex_store.calls(method="PATCH")
    tracking.refresh_from_db()
    assert tracking.state == CommandState.PENDING
    vtex_store.clear_faults()

    deliver_everything()

    writes = [
        (call["method"], call["status"])
        for call in vtex_store.calls()
        if call["method"] in ("POST", "PATCH")
    ]
    assert writes == [("POST", 500), ("POST", 200), ("PATCH", 200)]
    assert sandbox_invoices(vtex_store, order)["NF1"]["trackingNumber"] == "BR123"
    order.refresh_from_db()
    assert order.invoices.get(number="NF1").tracking_number == "BR123"


def test_a_command_stuck_in_sending_is_retried_after_a_reread(vtex_store, settings):
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    with transaction.atomic():
        command = order_start_handling(order=order, user=None).command
    # A worker sent it and died before recording the answer.
    response = vtex_store.vtex("POST", f"/api/oms/pvt/orders/{order.vtex_order_id}/start-handling")
    assert response.status_code == 204
    VtexCommand.objects.filter(pk=command.pk).update(
        state=CommandState.SENDING, sending_since=timezone.now() - timedelta(minutes=10)
    )
    settings.VTEX_COMMAND_STUCK_SECONDS = 60

    report = commands_sweep()

    assert (report.unstuck, report.dispatched) == (1, 1)
    command.refresh_from_db()
    assert command.state == CommandState.SUCCEEDED
    assert command.attempt_log.get().outcome == "already-applied"
    assert vtex_store.order(order.vtex_order_id)["start_handling_calls"] == 1


def test_a_lost_broker_message_is_handed_out_again_by_the_sweeper(vtex_store, settings):
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    settings.VTEX_COMMAND_STUCK_SECONDS = 60
    # The on-commit hand-out never ran (the test does not execute on-commit callbacks):
    # exactly what a broker losing the message looks like.
    with transaction.atomic():
        command = order_start_handling(order=order, user=None).command

    assert commands_sweep().dispatched == 0  # handed out a moment ago: give the broker time
    VtexCommand.objects.filter(pk=command.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=5)
    )
    assert commands_sweep().dispatched == 1

    command.refresh_from_db()
    assert command.state == CommandState.SUCCEEDED
    assert vtex_store.order(order.vtex_order_id)["start_handling_calls"] == 1


def test_a_command_is_given_up_after_max_attempts_then_retried_by_an_operator(
    vtex_store, login, client, settings, django_capture_on_commit_callbacks
):
    login("Operations")
    settings.VTEX_COMMAND_MAX_ATTEMPTS = 2
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    vtex_store.set_faults(rate_500=1.0, **OMS_WRITES)
    with transaction.atomic():
        command = order_start_handling(order=order, user=None).command

    for _attempt in range(2):
        VtexCommand.objects.filter(pk=command.pk).update(next_attempt_at=None)
        commands_deliver()

    command.refresh_from_db()
    assert (command.state, command.attempts) == (CommandState.DEAD, 2)
    dead = OrderEvent.objects.get(order=order, type=EventType.COMMAND_REJECTED)
    assert dead.payload["state"] == CommandState.DEAD
    vtex_store.clear_faults()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(client, "retry_now", [command], url=COMMAND_LIST)

    assert f"Queued again: {command.key}." in messages_of(response)
    command.refresh_from_db()
    assert command.state == CommandState.SUCCEEDED
    statuses = [call["status"] for call in vtex_store.calls(method="POST")]
    assert statuses == [500, 500, 204]


def test_an_operator_marks_a_rejected_command_resolved_with_a_note(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    user = login("Operations")
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    vtex_store.set_status(order.vtex_order_id, "handling")
    with django_capture_on_commit_callbacks(execute=True):
        post_action(client, "start_handling_selected", [order])
    command = VtexCommand.objects.get()
    assert command.state == CommandState.REJECTED

    form_page = post_action(client, "mark_resolved", [command], url=COMMAND_LIST)
    assert form_page.status_code == 200 and "Resolution note" in form_page.content.decode()
    response = post_action(
        client, "mark_resolved", [command], url=COMMAND_LIST, apply="1", note="Done in VTEX"
    )

    assert f"Marked resolved: {command.key}." in messages_of(response)
    command.refresh_from_db()
    assert (command.resolved_by, command.resolution_note) == (user, "Done in VTEX")
    note = OrderEvent.objects.get(order=order, type=EventType.NOTE)
    assert (note.actor_user, note.payload["note"]) == (user, "Done in VTEX")
    attention = client.get(COMMAND_LIST, {"attention": "yes"})
    assert command not in attention.context["cl"].result_list


def test_the_command_admin_filters_and_shows_attempts(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    first, second = mirrored_orders(vtex_store, 2, status="handling")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        invoice = invoice_submit(
            InvoiceRequest(order=first, number="NF1", issued_at=timezone.now()), user=None
        ).command
        refresh = order_refresh(order=second, user=None).command

    by_kind = client.get(COMMAND_LIST, {"kind__exact": "invoice"}).content.decode()
    assert invoice.key in by_kind and refresh.key not in by_kind
    by_state = client.get(COMMAND_LIST, {"state__exact": "succeeded"}).content.decode()
    assert invoice.key in by_state and refresh.key in by_state
    detail = html.unescape(client.get(f"{COMMAND_LIST}{invoice.pk}/change/").content.decode())
    assert f"/api/oms/pvt/orders/{first.vtex_order_id}/invoice" in detail
    assert '"invoiceNumber": "NF1"' in detail


def test_credentials_vtex_echoes_back_are_never_stored_or_shown(
    vtex_store, login, client, settings, django_capture_on_commit_callbacks
):
    login("Operations")
    rejected_order, failing_order = mirrored_orders(vtex_store, 2, status="handling")
    secrets = (vtex_store.app_key, vtex_store.app_token)
    xml = "<nfeProc>" + "x" * 10_000 + "</nfeProc>"

    def echo_headers(request: dict) -> tuple[int, object]:
        # A VTEX (or a proxy in front of it) that quotes the request's headers in its error.
        headers = request["headers"]
        pair = f"{headers['X-Vtex-Api-Appkey']}/{headers['X-Vtex-Api-Apptoken']}"
        status = 400 if rejected_order.vtex_order_id in request["path"] else 500
        body = {"error": {"code": "E1", "message": f"bad pair {pair}", "exception": headers}}
        return status, body

    echo = RecordingServer(echo_headers)
    settings.VTEX_BASE_URL = echo.url
    settings.VTEX_COMMAND_MAX_ATTEMPTS = 2
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            invoice = invoice_submit(
                InvoiceRequest(
                    order=rejected_order, number="NF1", issued_at=timezone.now(), embedded_xml=xml
                ),
                user=None,
            ).command
            started = invoice_submit(
                InvoiceRequest(order=failing_order, number="NF2", issued_at=timezone.now()),
                user=None,
            ).command
        # The second invoice failed with a 500: the retries re-read the order (500 again).
        deliver_everything()
    finally:
        echo.close()

    assert len(echo.requests) >= 4
    assert all(vtex_store.app_token in str(request["headers"]) for request in echo.requests)
    invoice.refresh_from_db()
    started.refresh_from_db()
    assert (invoice.state, started.state) == (CommandState.REJECTED, CommandState.DEAD)
    assert invoice.last_error_message == "bad pair ***/***"
    assert started.last_error_message == "bad pair ***/***"
    attempts = list(CommandAttempt.objects.values())
    assert {a["method"] for a in attempts} == {"POST", "GET"}
    assert all("***" in a["response_body"] for a in attempts)
    [invoice_attempt] = invoice.attempt_log.all()
    assert xml not in str(invoice_attempt.request_body)
    assert invoice_attempt.request_body["embeddedInvoice"].startswith(f"[{len(xml)} bytes, sha256")
    stored = [
        str(list(VtexCommand.objects.values())),
        str(attempts),
        str(list(OrderEvent.objects.values())),
    ]
    assert OrderEvent.objects.filter(type=EventType.COMMAND_REJECTED).count() == 2
    pages = [
        client.get(COMMAND_LIST).content.decode(),
        client.get(COMMAND_LIST, {"attention": "yes"}).content.decode(),
        client.get(f"{COMMAND_LIST}{invoice.pk}/change/").content.decode(),
        client.get(f"{COMMAND_LIST}{started.pk}/change/").content.decode(),
        client.get(order_page(rejected_order)).content.decode(),
        client.get(order_page(failing_order)).content.decode(),
    ]
    assert "bad pair ***/***" in html.unescape(pages[0])
    for secret in secrets:
        assert not [text for text in stored if secret in text], secret
        assert not [page for page in pages if secret in html.unescape(page)], secret


def test_the_nfe_xml_is_kept_while_the_invoice_may_be_sent_and_dropped_after(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    user = login("Operations")
    sent, rejected = mirrored_orders(vtex_store, 2, status="handling")
    xml = "<nfeProc><dest><CPF>52998224725</CPF></dest></nfeProc>"
    vtex_store.set_faults(
        rate_500=1.0, paths=[f"/api/oms/pvt/orders/{rejected.vtex_order_id}/invoice"]
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        delivered = invoice_submit(
            InvoiceRequest(order=sent, number="NF1", issued_at=timezone.now(), embedded_xml=xml),
            user=None,
        ).command
        failing = invoice_submit(
            InvoiceRequest(
                order=rejected, number="NF2", issued_at=timezone.now(), embedded_xml=xml
            ),
            user=None,
        ).command

    delivered.refresh_from_db()
    failing.refresh_from_db()
    assert delivered.state == CommandState.SUCCEEDED
    assert delivered.payload["embedded_xml"] == ""
    packages = vtex_store.order(sent.vtex_order_id)["order"]["packageAttachment"]["packages"]
    assert [package["embeddedInvoice"] for package in packages] == [xml]
    # Still to be sent: the retry needs the XML.
    assert failing.state == CommandState.RETRYING
    assert failing.payload["embedded_xml"] == xml
    assert all("52998224725" not in str(a.request_body) for a in CommandAttempt.objects.all())

    command_mark_resolved(command=failing, user=user, note="Sent by hand")
    failing.refresh_from_db()
    assert failing.state == CommandState.DEAD
    assert failing.payload["embedded_xml"] == ""
    assert failing.payload["embedded_xml_dropped"].startswith(f"[{len(xml)} bytes, sha256")
    assert "52998224725" not in str(list(VtexCommand.objects.values()))

    # Retried after that, it is not sent without its XML: the operator submits it again.
    vtex_store.clear_faults()
    with django_capture_on_commit_callbacks(execute=True):
        assert command_retry_now(command=failing, user=user)
    deliver_everything()
    failing.refresh_from_db()
    assert (failing.state, failing.last_error_code) == (CommandState.REJECTED, "NFE_XML_DROPPED")
    assert "NF2" not in sandbox_invoices(vtex_store, rejected)


def test_commands_wait_out_an_outage_and_are_all_delivered_once_after_it(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    orders = mirrored_orders(vtex_store, 10, status="ready-for-handling")
    vtex_store.server.stop()

    with django_capture_on_commit_callbacks(execute=True):
        post_action(client, "start_handling_selected", orders)
    commands_sweep()
    deliver_round = [c.state for c in VtexCommand.objects.all()]

    assert deliver_round == [CommandState.PENDING] * 10
    assert all(c.attempts >= 1 for c in VtexCommand.objects.all())
    assert set(CommandAttempt.objects.values_list("outcome", flat=True)) == {"not-sent"}
    vtex_store.server.start()

    deliver_everything()

    assert {c.state for c in VtexCommand.objects.all()} == {CommandState.SUCCEEDED}
    for order in orders:
        assert vtex_store.order(order.vtex_order_id)["start_handling_calls"] == 1


def test_forty_invoices_under_faults_are_each_received_exactly_once(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    # Half the attempts fail (about 80 attempts for 40 invoices), so each kind of fault is met
    # many times over; `make bench` delivers 500 invoices under these faults and checks each
    # was received once.
    orders = mirrored_orders(vtex_store, 20, status="handling")
    vtex_store.set_faults(
        rate_500=0.3,
        rate_429=0.2,
        retry_after=0.02,
        fail_after_apply=True,
        paths=["/api/oms/pvt/orders/"],
        methods=["POST"],
    )

    # Two invoices per order from the admin form: the first item, then the rest.
    for order in orders:
        first = order.items.order_by("position").first()
        for number, quantities in (
            (f"A{order.pk}", {first.position: 1}),
            (f"B{order.pk}", None),
        ):
            data = invoice_form(order, number, quantities)
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(operation_url(order, "invoice"), data)
            assert response.status_code == 302, messages_of(response)

    deliver_everything(timeout=60)

    commands = VtexCommand.objects.filter(kind="invoice")
    assert commands.count() == 40
    assert set(commands.values_list("state", flat=True)) == {CommandState.SUCCEEDED}
    faults_seen = set(CommandAttempt.objects.values_list("outcome", flat=True))
    assert {"failed", "rate-limited", "already-applied"} <= faults_seen
    for order in orders:
        received = sandbox_invoices(vtex_store, order)
        assert sorted(received) == sorted([f"A{order.pk}", f"B{order.pk}"])
        assert all(len(entry["receipts"]) == 1 for entry in received.values())
        assert vtex_store.order(order.vtex_order_id)["order"]["status"] in ("invoice", "invoiced")


def test_a_command_aimed_at_a_marketplace_goes_to_its_services_endpoint(vtex_store):
    seller = RecordingServer(lambda request: (200, {"orderId": "SLR-1"}))
    try:
        placed = vtex_store.marketplace_place_order(
            seller.url, [{"id": "1", "quantity": 1, "price": 5000}], shipping_price=0
        )
    finally:
        seller.close()
    marketplace_order_id = placed["marketplaceOrderId"]
    endpoint = placed["request"]["body"]["marketplaceServicesEndpoint"]
    order = OrderFactory(
        status="handling",
        value=5000,
        marketplace_order_id=marketplace_order_id,
        marketplace_services_endpoint=endpoint,
    )
    OrderItemFactory(order=order, position=0, sku_id="1", quantity=1, selling_price=5000)
    with transaction.atomic():
        command, _created = command_enqueue(
            subject=order,
            source="admin",
            kind="invoice",
            key=f"{order.vtex_order_id}:invoice:NF1",
            target=CommandTarget.MARKETPLACE,
            target_endpoint=endpoint,
            payload={
                "type": "Output",
                "number": "NF1",
                "value": 5000,
                "issued_at": timezone.now().isoformat(),
                "items": [{"id": "1", "price": 5000, "quantity": 1}],
            },
        )

    commands_deliver()

    command.refresh_from_db()
    assert command.state == CommandState.SUCCEEDED
    assert command.attempt_log.get().path.startswith("/marketplace-services/api/oms/pvt/orders/")
    record = vtex_store.marketplace_order(marketplace_order_id)
    assert record["invoices"]["NF1"]["invoiceValue"] == 5000
    assert record["status"] == "invoiced"


@pytest.mark.django_db(transaction=True)
def test_the_beat_sweeper_delivers_a_command_whose_message_was_lost_once(
    vtex_store,
):
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    # The hand-out after commit finds VTEX down: the command stays pending, as when the
    # broker loses the message.
    vtex_store.server.stop()
    order_start_handling(order=order, user=None)
    vtex_store.server.start()
    command = VtexCommand.objects.get(order=order)
    assert command.state == CommandState.PENDING
    command.next_attempt_at = timezone.now()
    command.save(update_fields=["next_attempt_at"])

    report = commands_sweep_task()
    # Sweeps need no lock: a second one finds nothing left to hand out.
    assert commands_sweep_task()["dispatched"] == 0

    assert report["dispatched"] == 1
    command.refresh_from_db()
    assert command.state == CommandState.SUCCEEDED
    assert vtex_store.order(order.vtex_order_id)["start_handling_calls"] == 1
