"""Issue 16 §3: a date or time typed on an order form is the instant the operator meant, in
Brazil's time zones, all the way: the form, the command, what VTEX (the sandbox) received, and
back from VTEX into the mirror and onto the order page.

Each example runs in one of Brazil's zones (``TIME_ZONE``, which the admin's forms read
wall-clock times in) and types a wall time to the minute, as the browser's picker sends it,
across the years São Paulo still had daylight saving time: a wall time that never happened
or happened twice there is refused by the form (Django's message), and nothing is sent.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import formats, timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.actor import Actor
from orders.models import Invoice, Order
from orders.operations.invoice import InvoiceRequest, invoice_submit
from orders.operations.tracking import invoice_tracking_set
from orders.services.mirror import order_sync
from outbox.models import VtexCommand
from tests.fixtures.brazil_time import time_zones, wall_time_exists_once, wall_times
from tests.orders.operations import invoice_form, operation_url, order_page

pytestmark = pytest.mark.django_db

ROUND_TRIP = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The picker's format (``DateTimePicker``).
PICKER = "%Y-%m-%dT%H:%M"
AMBIGUOUS = "happened twice, in the time zone"
# Wall times up to a month ago: every date must be before "now" (the forms' window).
wall_time = wall_times(latest=datetime(2026, 11, 1))


def typed(moment: datetime, zone: str) -> datetime:
    """The instant the operator means by the wall time ``moment`` in ``zone``."""
    return moment.replace(tzinfo=ZoneInfo(zone))


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def order_created_before(store, moment: datetime, *, status: str = "handling") -> Order:
    """An order of the sandbox created an hour before ``moment``, mirrored."""
    created = moment.astimezone(UTC) - timedelta(hours=1)
    [order_id] = store.create_orders(1, status=status, created_from=created, created_to=created)
    order_sync(vtex_order_id=order_id, source=Actor.FEED)
    return Order.objects.get(vtex_order_id=order_id)


def last_call(store, method: str, path_end: str) -> dict:
    calls = [
        call
        for call in store.calls(method=method)
        if call["path"].endswith(path_end) and call.get("status") == 200
    ]
    assert calls, store.calls(method=method)
    return calls[-1]["body"]


def shown(moment: datetime) -> str:
    """How the order page writes an instant: in the operator's zone, Django's format."""
    return formats.localize(timezone.localtime(moment))


def refused_as_ambiguous(response) -> bool:
    return response.status_code == 200 and AMBIGUOUS in html.unescape(response.content.decode())


@pytest.fixture
def operator(login):
    return login("Operations")


@ROUND_TRIP
@given(zone=time_zones, issued=wall_time, dispatch_after=st.integers(0, 3 * 24 * 60))
def test_invoice_issue_and_dispatch_dates(
    vtex_store, operator, client, django_capture_on_commit_callbacks, zone, issued, dispatch_after
):
    dispatched = issued + timedelta(minutes=dispatch_after)
    with override_settings(TIME_ZONE=zone), timezone.override(zone):
        order = order_created_before(vtex_store, typed(issued, zone))
        vtex_store.clear_calls()
        data = invoice_form(
            order,
            "NF1",
            issued_at=issued.strftime(PICKER),
            dispatched_at=dispatched.strftime(PICKER),
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(operation_url(order, "invoice"), data)

        if not (wall_time_exists_once(issued, zone) and wall_time_exists_once(dispatched, zone)):
            assert refused_as_ambiguous(response)
            assert not VtexCommand.objects.filter(order=order).exists()
            assert vtex_store.order(order.vtex_order_id)["invoices"] == []
            return
        assert response.status_code == 302, response.content.decode()[:2000]
        body = last_call(vtex_store, "POST", "/invoice")
        assert body["issuanceDate"] == utc_iso(typed(issued, zone))
        assert body["dispatchedDate"] == utc_iso(typed(dispatched, zone))
        [kept] = vtex_store.order(order.vtex_order_id)["invoices"]
        assert datetime.fromisoformat(kept["dispatchedDate"]) == typed(dispatched, zone)

        # Back from VTEX (the order is read again once the invoice is accepted).
        invoice = Invoice.objects.get(order=order, number="NF1")
        assert invoice.issued_at == typed(issued, zone)
        page = html.unescape(client.get(order_page(order)).content.decode())
        assert shown(typed(issued, zone)) in page


@ROUND_TRIP
@given(zone=time_zones, dispatched=wall_time)
def test_tracking_number_dispatch_date(
    vtex_store, operator, client, django_capture_on_commit_callbacks, zone, dispatched
):
    with override_settings(TIME_ZONE=zone), timezone.override(zone):
        order = invoiced(vtex_store, dispatched, django_capture_on_commit_callbacks)
        vtex_store.clear_calls()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                operation_url(order, "tracking-number"),
                {
                    "invoice_number": "NF1",
                    "tracking_number": "BR123456789BR",
                    "tracking_url": "",
                    "courier": "Correios",
                    "dispatched_at": dispatched.strftime(PICKER),
                },
            )

        if not wall_time_exists_once(dispatched, zone):
            assert refused_as_ambiguous(response)
            assert not vtex_store.calls(method="PATCH")
            return
        assert response.status_code == 302
        body = last_call(vtex_store, "PATCH", "/invoice/NF1")
        assert body["dispatchedDate"] == utc_iso(typed(dispatched, zone))
        # GetOrder has no dispatch date (its spec's package has none): VTEX keeps it.
        [kept] = vtex_store.order(order.vtex_order_id)["invoices"]
        assert datetime.fromisoformat(kept["dispatchedDate"]) == typed(dispatched, zone)


@ROUND_TRIP
@given(zone=time_zones, delivered=wall_time, event_days_before=st.integers(0, 2))
def test_tracking_events_day_and_delivery_time(
    vtex_store,
    operator,
    client,
    django_capture_on_commit_callbacks,
    zone,
    delivered,
    event_days_before,
):
    event_day = delivered.date() - timedelta(days=event_days_before)
    with override_settings(TIME_ZONE=zone), timezone.override(zone):
        order = invoiced(
            vtex_store,
            delivered - timedelta(days=3),
            django_capture_on_commit_callbacks,
            tracking="BR123456789BR",
        )
        vtex_store.clear_calls()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                operation_url(order, "tracking-events"),
                {
                    "invoice_number": "NF1",
                    "is_delivered": "on",
                    "delivered_at": delivered.strftime(PICKER),
                    "events-TOTAL_FORMS": "1",
                    "events-INITIAL_FORMS": "0",
                    "events-0-date": event_day.isoformat(),
                    "events-0-city": "Manaus",
                    "events-0-state": "AM",
                    "events-0-description": "Objeto entregue",
                },
            )

        if not wall_time_exists_once(delivered, zone):
            assert refused_as_ambiguous(response)
            assert not vtex_store.calls(method="PUT")
            return
        assert response.status_code == 302
        body = last_call(vtex_store, "PUT", "/invoice/NF1/tracking")
        # "yyyy-mm-dd hh:mm", which VTEX reads as UTC; an event's date is a day, as typed.
        assert body["deliveredDate"] == typed(delivered, zone).astimezone(UTC).strftime(
            "%Y-%m-%d %H:%M"
        )
        assert [event["date"] for event in body["events"]] == [event_day.isoformat()]

        invoice = Invoice.objects.get(order=order, number="NF1")
        assert invoice.delivered
        assert invoice.delivered_at == typed(delivered, zone)
        assert [e.occurred_at for e in invoice.tracking_events.all()] == [event_day]
        page = html.unescape(client.get(order_page(order)).content.decode())
        assert shown(typed(delivered, zone)) in page
        assert formats.date_format(event_day, "SHORT_DATE_FORMAT") in page


def invoiced(store, moment: datetime, on_commit, *, tracking: str = "") -> Order:
    """An order created before the wall time ``moment`` (in the active zone), invoiced in
    full (NF1) just after its creation, with ``tracking`` as its tracking number."""
    aware = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
    order = order_created_before(store, aware)
    with on_commit(execute=True):
        invoice_submit(
            InvoiceRequest(
                order=order, number="NF1", issued_at=order.created_at + timedelta(minutes=1)
            ),
            user=None,
        )
    if tracking:
        with on_commit(execute=True):
            invoice_tracking_set(
                order=order, user=None, invoice_number="NF1", tracking_number=tracking
            )
    order.refresh_from_db()
    return order


def test_a_delivery_typed_at_18_20_in_sao_paulo_reaches_vtex_as_21_20_utc(
    vtex_store, operator, client, django_capture_on_commit_callbacks
):
    """The issue's example, with today's date: 18:20 typed, "2026-12-06 21:20" sent."""
    with override_settings(TIME_ZONE="America/Sao_Paulo"), timezone.override("America/Sao_Paulo"):
        today = timezone.localdate()
        delivered = datetime.combine(today - timedelta(days=1), datetime.min.time()).replace(
            hour=18, minute=20
        )
        order = invoiced(
            vtex_store,
            delivered - timedelta(days=1),
            django_capture_on_commit_callbacks,
            tracking="BR1",
        )
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                operation_url(order, "tracking-events"),
                {
                    "invoice_number": "NF1",
                    "is_delivered": "on",
                    "delivered_at": delivered.strftime(PICKER),
                    "events-TOTAL_FORMS": "0",
                    "events-INITIAL_FORMS": "0",
                },
            )

        body = last_call(vtex_store, "PUT", "/invoice/NF1/tracking")
        assert body["deliveredDate"] == f"{delivered.date().isoformat()} 21:20"
        invoice = Invoice.objects.get(order=order, number="NF1")
        assert timezone.localtime(invoice.delivered_at).strftime("%H:%M") == "18:20"


def test_a_wall_time_that_never_happened_is_refused_in_portuguese(
    vtex_store, login, client, settings
):
    """São Paulo's clocks jumped from 00:00 to 01:00 on 4 November 2018: 00:30 never
    happened there. The form says so; nothing is queued."""
    login("Operations")
    settings.LANGUAGE_CODE = "pt-br"
    with override_settings(TIME_ZONE="America/Sao_Paulo"), timezone.override("America/Sao_Paulo"):
        order = order_created_before(vtex_store, datetime(2018, 11, 3, 12, tzinfo=UTC))
        response = client.post(
            operation_url(order, "invoice"),
            invoice_form(order, "NF1", issued_at="2018-11-04T00:30"),
            headers={"accept-language": "pt-br"},
        )

    assert response.status_code == 200
    assert (
        "4 de novembro de 2018 às 00:30 não existiu, ou ocorreu duas vezes, no fuso horário "
        "America/Sao_Paulo (mudança do horário de verão). Informe outro horário."
    ) in html.unescape(response.content.decode())
    assert not VtexCommand.objects.filter(order=order).exists()


def test_the_wall_times_strategy_draws_skipped_and_repeated_times():
    """The examples above reach the DST changes (else their refusal branch proves nothing)."""
    assert not wall_time_exists_once(datetime(2018, 11, 4, 0, 30), "America/Sao_Paulo")
    assert not wall_time_exists_once(datetime(2019, 2, 16, 23, 30), "America/Sao_Paulo")
    assert wall_time_exists_once(datetime(2019, 2, 16, 23, 30), "America/Manaus")
    assert wall_time_exists_once(datetime(2026, 12, 6, 18, 20), "America/Noronha")
