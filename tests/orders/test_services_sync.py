"""order_upsert_from_document: the mirror of one GetOrder document, and its audit rows."""

from datetime import UTC, date, datetime

import pytest
from django.db import transaction

from core.actor import Actor
from orders.models import EventType, Invoice, Order, OrderEvent, OrderItem, TrackingEvent
from orders.services.audit import event_record
from orders.services.sync import order_upsert_from_document
from tests.orders.documents import vtex_order_document, vtex_package

pytestmark = pytest.mark.django_db


def test_first_sync_mirrors_the_order_its_items_and_writes_one_imported_event():
    result = order_upsert_from_document(document=vtex_order_document(), source=Actor.FEED)

    order = Order.objects.get(vtex_order_id="1172452900788-01")
    assert result.created and result.to_status == "ready-for-handling"
    assert (order.sequence, order.order_group, order.origin, order.sales_channel) == (
        "502556",
        "1172452900788",
        "Marketplace",
        "1",
    )
    assert (order.value, order.items_total, order.discounts_total) == (28880, 30000, -1120)
    assert order.created_at == datetime(2024, 5, 10, 11, 0, 0, 461765, tzinfo=UTC)
    assert order.customer_name == "Saul Goodman"
    assert (order.customer_document_type, order.customer_document) == ("cpf", "77564538910")
    assert (order.shipping_city, order.shipping_state, order.selected_sla) == (
        "Rio De Janeiro",
        "RJ",
        "Normal",
    )
    assert (order.payment_method, order.payment_installments) == ("American Express", 3)
    assert order.payment_transaction_id == "33CD3CC4D11A4FA49A2C9EE20D771F98"
    item = order.items.get()
    assert (item.sku_id, item.ref_id, item.ean, item.quantity) == (
        "270851",
        "14568",
        "7891234567895",
        1,
    )
    assert (item.unit_price, item.list_price, item.selling_price) == (30000, 129800, 28880)
    [event] = OrderEvent.objects.filter(order=order)
    assert (event.type, event.source, event.to_status) == ("imported", "feed", "ready-for-handling")


def test_the_stored_vtex_document_carries_no_personal_data():
    order_upsert_from_document(document=vtex_order_document(), source=Actor.FEED)

    raw = str(Order.objects.get().raw_document)
    for personal in [
        "Saul",
        "Goodman",
        "77564538910",
        "+552199998888",
        "ct.vtex.com.br",
        "Gustavo",
        "376441",
    ]:
        assert personal not in raw
    assert "270851" in raw  # the business data stays


def test_syncing_the_same_document_again_changes_nothing():
    document = vtex_order_document()
    order_upsert_from_document(document=document, source=Actor.FEED)
    item_ids = list(OrderItem.objects.values_list("pk", flat=True))

    again = order_upsert_from_document(document=document, source=Actor.FEED)

    assert not again.created and not again.status_changed
    assert Order.objects.count() == 1
    assert OrderEvent.objects.count() == 1
    assert list(OrderItem.objects.values_list("pk", flat=True)) == item_ids


def test_a_status_change_writes_one_status_changed_event_with_from_to_and_source():
    order_upsert_from_document(document=vtex_order_document(), source=Actor.FEED)

    result = order_upsert_from_document(
        document=vtex_order_document(status="handling", last_change="2024-05-10T13:00:00Z"),
        source=Actor.HOOK,
    )

    assert result.status_changed
    order = Order.objects.get()
    assert order.status == "handling"
    [change] = OrderEvent.objects.filter(type=EventType.STATUS_CHANGED)
    assert (change.from_status, change.to_status, change.source) == (
        "ready-for-handling",
        "handling",
        "hook",
    )


def test_a_document_older_than_the_mirror_is_ignored():
    order_upsert_from_document(
        document=vtex_order_document(status="handling", last_change="2024-05-10T13:00:00Z"),
        source=Actor.FEED,
    )

    result = order_upsert_from_document(
        document=vtex_order_document(
            status="ready-for-handling", last_change="2024-05-10T12:00:00Z"
        ),
        source=Actor.FEED,
    )

    assert result.stale
    assert Order.objects.get().status == "handling"
    assert not OrderEvent.objects.filter(type=EventType.STATUS_CHANGED).exists()


def test_items_follow_an_order_change():
    order_upsert_from_document(document=vtex_order_document(), source=Actor.FEED)
    changed = vtex_order_document(last_change="2024-05-10T14:00:00Z")
    changed["items"][0]["quantity"] = 2
    changed["items"].append({**changed["items"][0], "id": "999", "quantity": 1, "name": "Mouse"})

    order_upsert_from_document(document=changed, source=Actor.FEED)

    assert list(OrderItem.objects.values_list("position", "sku_id", "quantity")) == [
        (0, "270851", 2),
        (1, "999", 1),
    ]


def test_packages_become_invoices_with_items_and_tracking_idempotently():
    tracking = [
        {"city": "Campinas", "state": "SP", "description": "Em trânsito", "date": "2024-05-12"}
    ]
    document = vtex_order_document(
        status="invoiced", packages=[vtex_package("NF1001", tracking=tracking)]
    )

    order_upsert_from_document(document=document, source=Actor.FEED)
    order_upsert_from_document(document=document, source=Actor.FEED)

    invoice = Invoice.objects.get()
    assert (invoice.number, invoice.type, invoice.value) == ("NF1001", "Output", 28880)
    assert invoice.key == "35240512345678000190550010000010011000010010"
    assert (invoice.courier, invoice.tracking_number) == ("Correios", "BR123456789")
    line = invoice.items.get()
    assert (line.sku_id, line.quantity, line.unit_price) == ("270851", 1, 28880)
    event = invoice.tracking_events.get()
    assert (event.city, event.state, event.description) == ("Campinas", "SP", "Em trânsito")
    # A day, not midnight UTC (which Brazil saw as the evening before).
    assert event.occurred_at == date(2024, 5, 12)


def test_new_tracking_events_and_delivery_reach_the_invoice():
    first = [
        {"city": "Campinas", "state": "SP", "description": "Em trânsito", "date": "2024-05-12"}
    ]
    order_upsert_from_document(
        document=vtex_order_document(status="invoiced", packages=[vtex_package(tracking=first)]),
        source=Actor.FEED,
    )
    both = [
        *first,
        {"city": "Rio de Janeiro", "state": "RJ", "description": "Entregue", "date": "2024-05-15"},
    ]

    order_upsert_from_document(
        document=vtex_order_document(
            status="invoiced",
            last_change="2024-05-15T15:00:00Z",
            packages=[vtex_package(tracking=both, delivered=True)],
        ),
        source=Actor.FEED,
    )

    invoice = Invoice.objects.get()
    assert invoice.delivered
    assert invoice.delivered_at == datetime(2024, 5, 15, 14, 30, tzinfo=UTC)
    assert list(TrackingEvent.objects.values_list("city", flat=True)) == [
        "Campinas",
        "Rio de Janeiro",
    ]


def test_over_long_vtex_strings_are_cut_to_the_column():
    document = vtex_order_document()
    document["items"][0]["name"] = "x" * 900

    order_upsert_from_document(document=document, source=Actor.FEED)

    assert len(OrderItem.objects.get().name) == 500


@pytest.mark.django_db(transaction=True)
def test_audit_rows_are_written_only_inside_the_changes_transaction():
    order_upsert_from_document(document=vtex_order_document(), source=Actor.FEED)
    order = Order.objects.get()

    with pytest.raises(RuntimeError):
        event_record(order=order, type=EventType.NOTE, source=Actor.ADMIN)
    with transaction.atomic():
        event_record(order=order, type=EventType.NOTE, source=Actor.ADMIN, payload={"text": "ok"})

    assert OrderEvent.objects.filter(type=EventType.NOTE).count() == 1
