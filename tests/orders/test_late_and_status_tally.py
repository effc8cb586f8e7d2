"""What the order list's late filter and the status counts read at a million orders stays
right as the mirror changes (issue 20 §1): ``Order.delivered`` follows VTEX's document and a
marketplace order's tracking events; the status tally (PostgreSQL) follows every write."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from core.actor import Actor
from orders.models import Order, OrderEvent, OrderStatusTally
from orders.selectors.queues import order_status_counts, order_status_totals
from orders.services.marketplace import marketplace_commands_applied
from orders.services.sync import order_upsert_from_document
from orders.services.tallies import order_status_tally_compact
from orders.status import status_label
from outbox.models import CommandState, VtexCommand
from tests.orders.documents import vtex_order_document, vtex_package
from tests.orders.factories import InvoiceFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _late_ids(client) -> set[str]:
    response = client.get(reverse("admin:orders_order_changelist") + "?late=yes")
    assert response.status_code == 200
    return {order.vtex_order_id for order in response.context["cl"].result_list}


def _flagged_late(client) -> dict[str, bool]:
    response = client.get(reverse("admin:orders_order_changelist"))
    return {order.vtex_order_id: order.is_late for order in response.context["cl"].result_list}


def test_an_undelivered_order_past_its_estimate_is_late_until_vtex_says_delivered(admin_client):
    # Invoiced, tracked, estimated for 2024-05-28: long past, not delivered.
    order_upsert_from_document(
        document=vtex_order_document(
            status="invoiced", last_change="2024-05-12T10:00:00Z", packages=[vtex_package()]
        ),
        source=Actor.FEED,
    )
    order = Order.objects.get()
    assert not order.delivered
    assert _late_ids(admin_client) == {order.vtex_order_id}
    assert _flagged_late(admin_client) == {order.vtex_order_id: True}

    order_upsert_from_document(
        document=vtex_order_document(
            status="invoiced",
            last_change="2024-05-15T15:00:00Z",
            packages=[vtex_package(delivered=True)],
        ),
        source=Actor.FEED,
    )

    order.refresh_from_db()
    assert order.delivered
    assert _late_ids(admin_client) == set()
    assert _flagged_late(admin_client) == {order.vtex_order_id: False}


def test_a_marketplace_orders_delivery_event_ends_its_lateness(admin_client):
    order = OrderFactory(
        status="invoiced",
        marketplace_services_endpoint="https://marketplace.example.com/api/oms?an=loja",
        estimated_delivery_at=timezone.now() - timedelta(days=3),
        invoiced_at=timezone.now() - timedelta(days=6),
    )
    order.seller_order_id = order.vtex_order_id
    order.save(update_fields=["seller_order_id"])
    InvoiceFactory(order=order, number="NF7", issued_at=timezone.now() - timedelta(days=6))
    assert _late_ids(admin_client) == {order.vtex_order_id}
    command = VtexCommand.objects.create(
        subject=order,
        source="admin",
        kind="tracking-events",
        key=f"{order.vtex_order_id}:tracking-events:NF7",
        state=CommandState.SUCCEEDED,
        payload={"invoice_number": "NF7", "events": [], "is_delivered": True},
    )

    with transaction.atomic():
        marketplace_commands_applied(commands=[command])

    order.refresh_from_db()
    assert order.delivered
    assert order.invoices.get().delivered
    assert _late_ids(admin_client) == set()


def _grouped() -> dict[str, int]:
    return dict(Order.objects.order_by().values_list("status").annotate(n=Count("pk")))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the tally is PostgreSQL's")
def test_the_status_tally_follows_sync_services_updates_deletes_and_compaction(admin_client):
    for number in range(3):
        order_upsert_from_document(
            document=vtex_order_document(f"11724529007{number:02d}-01"), source=Actor.FEED
        )
    assert order_status_totals() == {"ready-for-handling": 3} == _grouped()

    # The sync moves one; a bulk update moves another; one is deleted; the factory saves one.
    order_upsert_from_document(
        document=vtex_order_document(
            "1172452900700-01", status="handling", last_change="2024-05-11T10:00:00Z"
        ),
        source=Actor.FEED,
    )
    Order.objects.filter(vtex_order_id="1172452900701-01").update(status="canceled")
    OrderEvent.objects.filter(order__vtex_order_id="1172452900702-01").delete()
    Order.objects.filter(vtex_order_id="1172452900702-01").delete()
    OrderFactory(status="invoiced")
    expected = {"handling": 1, "canceled": 1, "invoiced": 1}
    assert order_status_totals() == expected == _grouped()
    # The list unfiltered reads the tally; filtered, its own rows.
    changelist = admin_client.get(reverse("admin:orders_order_changelist")).context["cl"]
    shown = {choice["display"] for choice in changelist.filter_specs[0].choices(changelist)}
    assert {f"{status_label(status)} ({count})" for status, count in expected.items()} <= shown
    assert order_status_counts(queryset=Order.objects.filter(status="handling")) == {"handling": 1}

    assert OrderStatusTally.objects.count() > len(expected)
    order_status_tally_compact()
    assert OrderStatusTally.objects.count() == len(expected)
    assert order_status_totals() == expected


def test_past_the_exact_count_threshold_a_filtered_list_offers_statuses_uncounted(
    admin_client, monkeypatch
):
    OrderFactory(status="handling", estimated_delivery_at=timezone.now() - timedelta(days=2))
    OrderFactory(status="invoiced", estimated_delivery_at=timezone.now() - timedelta(days=2))
    OrderFactory(status="invoiced", estimated_delivery_at=timezone.now() - timedelta(days=2))

    def shown(query: str) -> set[str]:
        changelist = admin_client.get(reverse("admin:orders_order_changelist") + query).context[
            "cl"
        ]
        # In the language the labels were drawn in.
        handling, invoiced = status_label("handling"), status_label("invoiced")
        displays = {choice["display"] for choice in changelist.filter_specs[0].choices(changelist)}
        return {
            display.replace(handling, "Handling").replace(invoiced, "Invoiced")
            for display in displays
        }

    assert {"Handling (1)", "Invoiced (2)"} <= shown("?late=yes")
    monkeypatch.setattr("orders.admin.filters.EXACT_COUNT_UP_TO", 2)
    assert {"Handling", "Invoiced"} <= shown("?late=yes")
    assert {"Handling", "Invoiced"} <= shown("?late=yes&status=handling")
    # The whole mirror is counted by the tally (or a GROUP BY) whatever its size.
    assert {"Handling (1)", "Invoiced (2)"} <= shown("")


def _queue_ids(client, queue: str) -> set[str]:
    response = client.get(reverse("admin:orders_order_changelist") + f"?queue={queue}")
    return {order.vtex_order_id for order in response.context["cl"].result_list}


def test_an_invoice_without_tracking_waits_in_its_queue_until_vtex_has_the_number(admin_client):
    untracked = vtex_package()
    untracked["trackingNumber"] = ""
    order_upsert_from_document(
        document=vtex_order_document(
            status="invoiced", last_change="2024-05-12T10:00:00Z", packages=[untracked]
        ),
        source=Actor.FEED,
    )
    order = Order.objects.get()
    assert order.untracked_since.isoformat() == "2024-05-11T10:00:00+00:00"  # its issue
    assert _queue_ids(admin_client, "invoiced-without-tracking") == {order.vtex_order_id}

    order_upsert_from_document(
        document=vtex_order_document(
            status="invoiced", last_change="2024-05-13T10:00:00Z", packages=[vtex_package()]
        ),
        source=Actor.FEED,
    )

    order.refresh_from_db()
    assert order.untracked_since is None
    assert _queue_ids(admin_client, "invoiced-without-tracking") == set()


def test_a_marketplace_orders_tracking_number_takes_it_out_of_the_queue(admin_client):
    order = OrderFactory(
        status="invoiced",
        marketplace_services_endpoint="https://marketplace.example.com/api/oms?an=loja",
        estimated_delivery_at=timezone.now() + timedelta(days=3),
    )
    order.seller_order_id = order.vtex_order_id
    order.save(update_fields=["seller_order_id"])
    InvoiceFactory(order=order, number="NF8", tracking_number="")
    assert _queue_ids(admin_client, "invoiced-without-tracking") == {order.vtex_order_id}
    command = VtexCommand.objects.create(
        subject=order,
        source="admin",
        kind="tracking-number",
        key=f"{order.vtex_order_id}:tracking-number:NF8",
        state=CommandState.SUCCEEDED,
        payload={"invoice_number": "NF8", "tracking_number": "BR1", "courier": "Correios"},
    )

    with transaction.atomic():
        marketplace_commands_applied(commands=[command])

    order.refresh_from_db()
    assert order.untracked_since is None
    assert _queue_ids(admin_client, "invoiced-without-tracking") == set()
