"""What an invoice file writes, row for row: every command and audit row of a small file that
has each case of the bulk write path (items named or left out, the completing invoice, a
return, a rejected command's key taken again, refusals among valid rows), checked then
imported, then the same file again (nothing new). The bulk path is tuned for the 10,000-row
file (bench/imports.py); this is what it must keep writing."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from imports.models import ImportPolicy, ImportRow, RowStatus
from imports.services import batch_confirm, batch_create
from orders.models import EventType, Order, OrderEvent
from outbox.models import CommandState, VtexCommand

pytestmark = pytest.mark.django_db

KEY = "35261112345678000190550010000123451000123456"
FILE = (
    "order_id,invoice_number,invoice_value,issuance_date,invoice_key,invoice_url,type,"
    "courier,tracking_number,items\n"
    f"1500000001-01,12345,595.00,2026-11-27,{KEY},https://erp.example.com/n.pdf,Output,"
    "Correios,BR1BR,2001:1\n"
    "1500000001-01,12346,639.56,2026-11-27,,,saída,,,\n"
    "1500000002-01,12347,10.00,2026-11-27,,,,,,2002:1:1000\n"
    "1500000002-01,12348,5.00,2026-11-27,,,,,,\n"
    "1500000004-01,R1,1234.56,2026-11-27,,,entrada,,,\n"
    "1500000003-01,12349,10.00,2026-11-27,,,,,,\n"
    "1599999999-01,12350,10.00,2026-11-27,,,,,,\n"
    "1500000002-01,12351,1224.56,2026-11-27,,,,,,\n"
    "1500000002-01,12352,1.00,2026-11-27,,,,,,\n"
)
ISSUED = "2026-11-27T00:00:00-03:00"


def invoice(number, value, lines, *, type="Output", **fields):
    """An invoice command's payload: ``lines`` as (position, SKU, quantity, unit price)."""
    return {
        "type": type,
        "number": number,
        "value": value,
        "issued_at": ISSUED,
        "lines": [
            {"position": position, "quantity": quantity, "price": price}
            for position, _sku, quantity, price in lines
        ],
        "items": [
            {"id": sku, "price": price, "quantity": quantity}
            for _position, sku, quantity, price in lines
        ],
        "key": "",
        "url": "",
        "embedded_xml": "",
        "courier": "",
        "tracking_number": "",
        "tracking_url": "",
        "dispatched_at": "",
        **fields,
    }


def statuses(batch):
    return [row.status for row in ImportRow.objects.filter(batch=batch).order_by("number")]


def test_a_file_writes_exactly_its_commands_and_audit_rows(import_orders):
    user = get_user_model().objects.create(username="importer", is_staff=True)
    second = import_orders["1500000002-01"]
    # A command VTEX rejected: a new invoice with its number takes the key over.
    rejected = VtexCommand.objects.create(
        subject_type=ContentType.objects.get_for_model(Order),
        subject_id=second.pk,
        kind="invoice",
        key="1500000002-01:invoice:12351",
        payload={"number": "12351", "type": "Output", "value": 1, "lines": [], "items": []},
        state=CommandState.REJECTED,
        source="admin",
    )
    ok, no, same, done = RowStatus.VALID, RowStatus.REFUSED, RowStatus.UNCHANGED, RowStatus.IMPORTED

    batches = []
    for checked, stored in (
        ([ok, ok, ok, no, ok, no, no, ok, no], [done, done, done, no, done, no, no, done, no]),
        # The same file again: what was sent is sent already, the refusals stay.
        ([same, same, same, no, same, no, no, same, no],) * 2,
    ):
        batch = batch_create(
            kind_name="invoices",
            file_name="erp.csv",
            content=FILE.encode(),
            user=user,
            policy=ImportPolicy.VALID_ROWS,
        )
        assert statuses(batch) == checked
        batch = batch_confirm(batch=batch, user=user, policy=ImportPolicy.VALID_ROWS)
        assert statuses(batch) == stored
        batches.append(batch)

    by_order = {order.pk: order.vtex_order_id for order in import_orders.values()}
    expected = [
        (
            "1500000001-01",
            "12345",
            invoice(
                "12345",
                59500,
                [(0, "2001", 1, 59500)],
                key=KEY,
                url="https://erp.example.com/n.pdf",
                courier="Correios",
                tracking_number="BR1BR",
            ),
        ),
        (
            "1500000001-01",
            "12346",
            invoice("12346", 63956, [(0, "2001", 1, 59500), (1, "2002", 1, 1000)]),
        ),
        ("1500000002-01", "12347", invoice("12347", 1000, [(1, "2002", 1, 1000)])),
        (
            "1500000004-01",
            "R1",
            invoice("R1", 123456, [(0, "2001", 2, 59500), (1, "2002", 1, 1000)], type="Input"),
        ),
        ("1500000002-01", "12351", invoice("12351", 122456, [(0, "2001", 2, 59500)])),
    ]
    rejected.refresh_from_db()
    assert (rejected.key, rejected.state) == (
        f"1500000002-01:invoice:12351~{rejected.pk}",
        "rejected",
    )
    commands = list(VtexCommand.objects.exclude(pk=rejected.pk).order_by("pk"))
    assert [
        (by_order[command.subject_id], command.key, command.payload) for command in commands
    ] == [(order, f"{order}:invoice:{number}", payload) for order, number, payload in expected]
    for command in commands:
        assert (command.kind, command.state, command.source) == ("invoice", "pending", "csv")
        assert (command.requested_by_id, command.target, command.target_endpoint) == (
            user.pk,
            "store",
            "",
        )
        assert command.subject_type == ContentType.objects.get_for_model(Order)
        assert command.enqueued_at is not None

    events = list(OrderEvent.objects.order_by("pk"))
    assert [(event.order.vtex_order_id, event.payload) for event in events] == [
        (
            order,
            {
                "action": "invoice",
                "command": f"{order}:invoice:{number}",
                # The audit keeps the request without the NF-e XML.
                **{name: value for name, value in payload.items() if name != "embedded_xml"},
                "import_batch": batches[0].pk,
                "csv_file": "erp.csv",
            },
        )
        for order, number, payload in expected
    ]
    for event in events:
        assert (event.type, event.source, event.actor_user_id) == (
            EventType.ACTION_REQUESTED,
            "csv",
            user.pk,
        )
        assert (event.from_status, event.to_status, event.receipt) == ("", "", "")
