"""What an order's invoices add up to (VTEX's mirror plus queued commands), read by the
operations' rules and forms; and whether start handling was asked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    QuerySet,
)

from orders.command_kinds import OrderCommand, StartHandling
from orders.invoicing import KnownInvoice
from orders.models import (
    OPEN_CHANGE_STATUSES,
    Invoice,
    InvoiceType,
    Order,
    OrderChange,
    OrderItem,
)
from outbox.models import OPEN_STATES, CommandState, VtexCommand
from outbox.registry import command_type, command_types


@dataclass(frozen=True)
class InvoicingSummary:
    order_value: int
    output_total: int
    input_total: int
    ordered_quantities: dict[int, int]
    invoiced_quantities: dict[int, int]
    returned_quantities: dict[int, int]
    invoices: dict[str, KnownInvoice]
    # An order change is open in VTEX (being sent, processed or stopped on error): its items
    # and value are about to change.
    change_open: bool = False

    @property
    def fully_invoiced(self) -> bool:
        return self.order_value > 0 and self.output_total >= self.order_value

    @property
    def fully_returned(self) -> bool:
        return self.fully_invoiced and self.input_total >= self.output_total

    @property
    def uninvoiced_quantities(self) -> dict[int, int]:
        return {
            position: quantity - self.invoiced_quantities.get(position, 0)
            for position, quantity in self.ordered_quantities.items()
        }

    @property
    def unreturned_quantities(self) -> dict[int, int]:
        return {
            position: quantity - self.returned_quantities.get(position, 0)
            for position, quantity in self.invoiced_quantities.items()
        }


def order_invoicing_summary(
    *,
    order: Order,
    items: Iterable[OrderItem] | None = None,
    invoices: Iterable[Invoice] | None = None,
    commands: Iterable[VtexCommand] | None = None,
    change_open: bool | None = None,
) -> InvoicingSummary:
    """The order's invoices as VTEX has them (the mirror) plus those queued or just sent.

    A queued invoice counts as soon as it is written, so two operators cannot both invoice
    the same items; a rejected one does not count.

    ``items``, ``invoices`` (with their items prefetched) and ``commands`` (its invoice and
    tracking-number commands, open or succeeded, oldest first), when given, are the order's,
    already read (the order page, through ``order_detail_related``; a bulk import, through
    ``orders_invoicing_summaries``): not read again.
    """
    if items is None:
        items = order.items.all()
    if invoices is None:
        invoices = order.invoices.prefetch_related("items")
    if commands is None:
        commands = _invoicing_commands(VtexCommand.objects.filter(order=order))
    if change_open is None:
        change_open = order.changes.filter(status__in=OPEN_CHANGE_STATUSES).exists()
    known_invoices: dict[str, KnownInvoice] = {}
    for invoice in invoices:
        known_invoices[invoice.number] = KnownInvoice(
            number=invoice.number,
            type=invoice.type,
            value=invoice.value,
            key=invoice.key,
            url=invoice.url,
            lines=sorted((line.item_index, line.quantity) for line in invoice.items.all()),
            tracking_number=invoice.tracking_number,
            pending=False,
        )
    tracking: dict[str, str] = {}
    for command in commands:
        _order_command(command).count_in(command, known_invoices, tracking)
    for number, tracking_number in tracking.items():
        known = known_invoices.get(number)
        if known is not None and not known.tracking_number:
            known_invoices[number] = replace(known, tracking_number=tracking_number)
    ordered: dict[int, int] = {}
    for item in items:
        ordered[item.position] = ordered.get(item.position, 0) + item.quantity
    summary = _summary_of(order_value=order.value, ordered=ordered, known_invoices=known_invoices)
    return replace(summary, change_open=change_open)


def orders_invoicing_summaries(
    *, orders: Iterable[Order], items: dict[int, list[OrderItem]]
) -> dict[int, InvoicingSummary]:
    """``order_invoicing_summary`` of many orders (by pk) in four queries; ``items`` are
    theirs, already read (by order pk)."""
    orders = list(orders)
    pks = [order.pk for order in orders]
    invoices: dict[int, list[Invoice]] = {pk: [] for pk in pks}
    for invoice in Invoice.objects.filter(order_id__in=pks).prefetch_related("items"):
        invoices[invoice.order_id].append(invoice)
    commands: dict[int, list[VtexCommand]] = {pk: [] for pk in pks}
    # By subject, not ``order__in``: the generic relation joins the orders table, and on a
    # table whose statistics predate the file's first chunks (the check inserts them in its
    # transaction) PostgreSQL planned that join as a nested loop over every command queued
    # so far, for each chunk: 1 s a chunk at 1,000 queued commands, growing with the file.
    order_type = ContentType.objects.get_for_model(Order)
    for command in _invoicing_commands(
        VtexCommand.objects.filter(subject_type=order_type, subject_id__in=pks)
    ):
        commands[command.subject_id].append(command)
    changing = set(
        OrderChange.objects.filter(order_id__in=pks, status__in=OPEN_CHANGE_STATUSES).values_list(
            "order_id", flat=True
        )
    )
    return {
        order.pk: order_invoicing_summary(
            order=order,
            items=items.get(order.pk, []),
            invoices=invoices[order.pk],
            commands=commands[order.pk],
            change_open=order.pk in changing,
        )
        for order in orders
    }


def invoicing_summary_with(summary: InvoicingSummary, invoice: KnownInvoice) -> InvoicingSummary:
    """The summary once ``invoice`` is queued too (a bulk import, invoice after invoice)."""
    updated = _summary_of(
        order_value=summary.order_value,
        ordered=summary.ordered_quantities,
        known_invoices={**summary.invoices, invoice.number: invoice},
    )
    return replace(updated, change_open=summary.change_open)


def _order_command(command: VtexCommand) -> OrderCommand:
    kind = command_type(command.kind)
    if not isinstance(kind, OrderCommand):
        raise LookupError(f"{command.kind!r} is not an order's command")
    return kind


def _invoicing_commands(commands: QuerySet[VtexCommand]) -> QuerySet[VtexCommand]:
    counted = [
        kind.kind
        for kind in command_types()
        if isinstance(kind, OrderCommand) and kind.counts_in_invoicing
    ]
    return commands.filter(
        kind__in=counted, state__in=(*OPEN_STATES, CommandState.SUCCEEDED)
    ).order_by("pk")


def _summary_of(
    *, order_value: int, ordered: dict[int, int], known_invoices: dict[str, KnownInvoice]
) -> InvoicingSummary:
    invoiced: dict[int, int] = {}
    returned: dict[int, int] = {}
    totals: dict[str, int] = {InvoiceType.OUTPUT: 0, InvoiceType.INPUT: 0}
    for known in known_invoices.values():
        totals[known.type] = totals.get(known.type, 0) + known.value
        counted = invoiced if known.type == InvoiceType.OUTPUT else returned
        for position, quantity in known.lines:
            counted[position] = counted.get(position, 0) + quantity
    return InvoicingSummary(
        order_value=order_value,
        output_total=totals[InvoiceType.OUTPUT],
        input_total=totals[InvoiceType.INPUT],
        ordered_quantities=ordered,
        invoiced_quantities=invoiced,
        returned_quantities=returned,
        invoices=known_invoices,
    )


def start_handling_key(order: Order) -> str:
    return StartHandling.key_for(order.vtex_order_id)


def start_handling_request(*, order: Order) -> VtexCommand | None:
    """The order's start-handling command still standing (a rejected one can be asked again)."""
    return (
        VtexCommand.objects.filter(key=start_handling_key(order))
        .exclude(state=CommandState.REJECTED)
        .first()
    )
