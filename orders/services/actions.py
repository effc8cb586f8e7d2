"""What operators do to orders: each a service that checks the rules, writes the audit row
and queues a VTEX command, in one transaction with the order row locked.

A refusal raises ``ActionRefused`` with a message for the operator; VTEX's own refusals
arrive later, on the command (see ``outbox`` and ``orders.command_kinds``). What an operation needs
of the order (its status, its invoices) is one refusal rule per operation, ``*_refusal(order,
summary)`` below: the operations table (``orders.operations``) shows a button only where its
rule refuses nothing, and the service applies the same rule under the lock.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from orders import command_kinds as kinds
from orders import validators as bounds
from orders.models import (
    Actor,
    EventType,
    InvoiceType,
    Order,
    OrderEvent,
    OrderItem,
)
from orders.models.audit import CSV_FILE_KEY, IMPORT_BATCH_KEY
from orders.money import brl
from orders.selectors import (
    InvoicingSummary,
    KnownInvoice,
    invoicing_summary_with,
    order_invoicing_summary,
    orders_invoicing_summaries,
    queued_invoice,
    start_handling_key,
    start_handling_request,
)
from orders.services.audit import event_record, events_record_many
from orders.status import Action, OrderStatus, status_allows, status_label
from orders.validators import (
    TextLength,
    validate_invoice_number,
    validate_nfe_key,
    validate_operation_date,
)
from outbox.enqueue import command_enqueue, command_key, commands_enqueue_many
from outbox.models import OPEN_STATES, CommandState, CommandTarget, VtexCommand

# An order change's requestId (a UUID in hex, made by the change form or by order_change).
CHANGE_REQUEST_ID = re.compile(r"\A[0-9a-f]{32}\Z")


class ActionRefused(Exception):
    """The back office will not ask VTEX for this; ``message`` tells the operator why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImportedFrom:
    """The import batch (``imports.ImportBatch``) and file a request came from."""

    batch: int
    file_name: str


@dataclass(frozen=True)
class ActionResult:
    order: Order
    command: VtexCommand
    # False: the same request was already queued (or sent); nothing new was written.
    created: bool


@dataclass(frozen=True)
class InvoiceLine:
    position: int
    quantity: int


@dataclass(frozen=True)
class TrackingEventInput:
    city: str
    state: str
    description: str
    date: date


@dataclass(frozen=True)
class ChangeLine:
    sku_id: str
    quantity: int
    price: int


# --- Start handling -----------------------------------------------------------------------------


def order_start_handling(
    *, order: Order, user: AbstractBaseUser | None, source: Actor | str = Actor.ADMIN
) -> ActionResult:
    """Ask VTEX to move a ready-for-handling order to handling; never twice per order."""
    with transaction.atomic():
        order = order_lock(order)
        refusal_raise(start_handling_refusal, order)
        return order_command_enqueue(
            order=order,
            user=user,
            source=source,
            kind=kinds.StartHandling.kind,
            key=start_handling_key(order),
            payload={},
        )


def order_start_handling_after_import(*, order: Order, source: Actor | str) -> ActionResult | None:
    """With ``VTEX_AUTO_START_HANDLING``, start handling an order the import just mirrored in
    ready-for-handling; run inside the import's transaction. Never twice per order."""
    if not settings.VTEX_AUTO_START_HANDLING or order.status != OrderStatus.READY_FOR_HANDLING:
        return None
    # Even a rejected request is not repeated automatically: an operator decides.
    if VtexCommand.objects.filter(key=start_handling_key(order)).exists():
        return None
    return order_start_handling(order=order, user=None, source=source)


# --- Invoices -------------------------------------------------------------------------------------


def invoice_submit(
    *,
    order: Order,
    user: AbstractBaseUser | None,
    number: str,
    issued_at: datetime,
    invoice_type: InvoiceType | str = InvoiceType.OUTPUT,
    lines: Sequence[InvoiceLine] | None = None,
    key: str = "",
    url: str = "",
    embedded_xml: str = "",
    courier: str = "",
    tracking_number: str = "",
    tracking_url: str = "",
    dispatched_at: datetime | None = None,
    source: Actor | str = Actor.ADMIN,
    value: int | None = None,
    imported_from: ImportedFrom | None = None,
) -> ActionResult:
    """Send an invoice (Output: sale; Input: return) for some or all of the order's items.

    ``lines`` default to what is left: not yet invoiced (Output) or not yet returned (Input).
    The value is computed from the items' selling prices; the invoice that completes the
    order takes the rest of the order value (shipping, order-level discounts, rounding).
    ``value``, when the caller's document states one (an ERP's file), must be that value.
    ``imported_from``: the import batch and file the request came from, kept in the audit row.
    """
    request = _invoice_request_check(
        InvoiceRequest(
            order=order,
            number=number,
            issued_at=issued_at,
            invoice_type=invoice_type,
            lines=lines,
            key=key,
            url=url,
            embedded_xml=embedded_xml,
            courier=courier,
            tracking_number=tracking_number,
            tracking_url=tracking_url,
            dispatched_at=dispatched_at,
            value=value,
        )
    )
    with transaction.atomic():
        order = order_lock(order)
        items = list(order.items.all())
        planned = _invoice_plan(
            order=order,
            items=items,
            summary=order_invoicing_summary(order=order, items=items),
            request=request,
            command_for_key=lambda key: VtexCommand.objects.filter(key=key).first(),
        )
        if isinstance(planned, ActionResult):
            return planned
        command_key_, payload = planned
        return order_command_enqueue(
            order=order,
            user=user,
            source=source,
            kind=kinds.Invoice.kind,
            key=command_key_,
            payload=payload,
            imported_from=imported_from,
        )


@dataclass(frozen=True)
class InvoiceRequest:
    """One invoice asked of ``invoices_submit_many`` (``invoice_submit``'s arguments)."""

    order: Order
    number: str
    issued_at: datetime
    invoice_type: InvoiceType | str = InvoiceType.OUTPUT
    lines: Sequence[InvoiceLine] | None = None
    key: str = ""
    url: str = ""
    embedded_xml: str = ""
    courier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    dispatched_at: datetime | None = None
    value: int | None = None


def invoices_submit_many(
    *,
    requests: Sequence[InvoiceRequest],
    user: AbstractBaseUser | None,
    source: Actor | str = Actor.ADMIN,
    imported_from: ImportedFrom | None = None,
) -> list[ActionResult | ActionRefused]:
    """``invoice_submit`` for many invoices at once (a file of hundreds of NF-e): the same
    checks and rules, applied request after request, each seeing the invoices queued before
    it; the orders locked together (by pk) and the reads and writes done in bulk. Each
    request's outcome, in order: its ActionResult, or the ActionRefused saying why (a refused
    request writes nothing, and stops no other)."""
    outcomes: list[ActionResult | ActionRefused | None] = [None] * len(requests)
    checked: dict[int, InvoiceRequest] = {}
    for index, request in enumerate(requests):
        try:
            checked[index] = _invoice_request_check(request)
        except ActionRefused as refusal:
            outcomes[index] = refusal
    with transaction.atomic():
        pks = sorted({request.order.pk for request in checked.values()})
        orders = {
            order.pk: order
            # Without the stored VTEX document: large, and no rule reads it.
            for order in Order.objects.select_for_update()
            .filter(pk__in=pks)
            .defer("raw_document")
            .order_by("pk")
        }
        items: dict[int, list[OrderItem]] = {pk: [] for pk in pks}
        for item in OrderItem.objects.filter(order_id__in=pks).order_by("order_id", "position"):
            items[item.order_id].append(item)
        summaries = orders_invoicing_summaries(orders=orders.values(), items=items)
        taken = {
            command.key: command
            for command in VtexCommand.objects.filter(
                key__in=[
                    _invoice_key(request.order, request.number) for request in checked.values()
                ]
            )
        }
        planned: list[tuple[int, Order, VtexCommand]] = []
        subject_type = ContentType.objects.get_for_model(Order)
        for index, request in checked.items():
            order = orders[request.order.pk]
            try:
                plan = _invoice_plan(
                    order=order,
                    items=items[order.pk],
                    summary=summaries[order.pk],
                    request=request,
                    command_for_key=taken.get,
                )
            except ActionRefused as refusal:
                outcomes[index] = refusal
                continue
            if isinstance(plan, ActionResult):
                outcomes[index] = plan
                continue
            key, payload = plan
            command = VtexCommand(
                subject_type=subject_type,
                subject_id=order.pk,
                kind=kinds.Invoice.kind,
                key=key,
                payload=payload,
                requested_by=user,
                source=source,
                **_command_target(order),
            )
            taken[key] = command
            summaries[order.pk] = invoicing_summary_with(
                summaries[order.pk], queued_invoice(payload)
            )
            planned.append((index, order, command))
        written = commands_enqueue_many(commands=[command for _i, _o, command in planned])
        events = []
        for (index, order, _command), (command, created) in zip(planned, written, strict=True):
            outcomes[index] = ActionResult(order=order, command=command, created=created)
            if created:
                events.append(
                    OrderEvent(
                        order=order,
                        type=EventType.ACTION_REQUESTED,
                        source=source,
                        actor_user=user,
                        payload=_audited(command.kind, command.key, command.payload, imported_from),
                    )
                )
        events_record_many(events=events)
    finished = [outcome for outcome in outcomes if outcome is not None]
    if len(finished) != len(requests):
        raise RuntimeError("invoices_submit_many left a request without an outcome")
    return finished


def _invoice_request_check(request: InvoiceRequest) -> InvoiceRequest:
    """The request's own fields (stripped), checked before the order is locked."""
    request = replace(
        request,
        number=request.number.strip(),
        key=request.key.strip(),
        url=request.url.strip(),
        courier=request.courier.strip(),
        tracking_number=request.tracking_number.strip(),
        tracking_url=request.tracking_url.strip(),
    )
    validator_check(validate_invoice_number, request.number)
    if request.key:
        validator_check(validate_nfe_key, request.key)
    lengths_check(
        (request.number, bounds.INVOICE_NUMBER),
        (request.url, bounds.INVOICE_URL),
        (request.embedded_xml, bounds.EMBEDDED_XML),
        (request.courier, bounds.COURIER),
        (request.tracking_number, bounds.TRACKING_NUMBER),
        (request.tracking_url, bounds.TRACKING_URL),
    )
    if request.invoice_type not in InvoiceType.values:
        raise ActionRefused(_("Unknown invoice type %(type)s.") % {"type": request.invoice_type})
    _require_dates(
        request.order,
        (request.issued_at, bounds.ISSUED_AT),
        (request.dispatched_at, bounds.DISPATCHED_AT),
    )
    return request


def _invoice_plan(
    *,
    order: Order,
    items: list[OrderItem],
    summary: InvoicingSummary,
    request: InvoiceRequest,
    command_for_key: Callable[[str], VtexCommand | None],
) -> ActionResult | tuple[str, dict[str, Any]]:
    """The invoice's rules on the locked order: the same invoice already queued (its
    ActionResult, nothing new), or the new command's key and payload; ActionRefused else."""
    number = request.number
    invoice_type = request.invoice_type
    lines = request.lines
    value = request.value
    wanted = {
        "type": str(invoice_type),
        "key": request.key,
        "url": request.url,
        "lines": None if lines is None else _lines_payload(lines),
        "value": value,
    }
    existing = summary.invoices.get(number)
    if existing is not None:
        return _invoice_existing(
            order=order,
            number=number,
            existing=existing,
            wanted=wanted,
            command=command_for_key(_invoice_key(order, number)),
        )

    if invoice_type == InvoiceType.OUTPUT:
        refusal_raise(invoice_refusal, order, summary)
        available = summary.uninvoiced_quantities
    else:
        refusal_raise(return_invoice_refusal, order, summary)
        available = summary.unreturned_quantities
    chosen = _invoice_lines(
        order=order,
        lines=lines,
        available=available,
        summary=summary,
        invoice_type=invoice_type,
        items=items,
    )
    computed = _invoice_value(summary=summary, invoice_type=invoice_type, chosen=chosen)
    stated = computed if value is None else value
    if invoice_type == InvoiceType.OUTPUT and summary.output_total + stated > summary.order_value:
        raise ActionRefused(
            _(
                "Invoice %(number)s would bring the order's invoices to %(total)s, "
                "more than the order value %(value)s."
            )
            % {
                "number": number,
                "total": brl(summary.output_total + stated),
                "value": brl(summary.order_value),
            }
        )
    if stated != computed:
        raise ActionRefused(
            _(
                "Invoice %(number)s is worth %(stated)s, but its items on this order "
                "come to %(computed)s (the invoice that completes an order also carries "
                "its shipping and discounts)."
            )
            % {
                "number": number,
                "stated": brl(stated),
                "computed": brl(computed),
            }
        )
    value = computed
    if invoice_type == InvoiceType.INPUT and summary.input_total + value > summary.output_total:
        raise ActionRefused(
            _("Return invoice %(number)s would return more than was invoiced (%(total)s).")
            % {"number": number, "total": brl(summary.output_total)}
        )
    payload = {
        "type": str(invoice_type),
        "number": number,
        "value": value,
        "issued_at": request.issued_at.isoformat(),
        "lines": [
            {"position": position, "quantity": quantity, "price": price}
            for position, (quantity, price, _sku) in sorted(chosen.items())
        ],
        "items": [
            {"id": sku, "price": price, "quantity": quantity}
            for _position, (quantity, price, sku) in sorted(chosen.items())
        ],
        "key": request.key,
        "url": request.url,
        "embedded_xml": request.embedded_xml,
        "courier": request.courier,
        "tracking_number": request.tracking_number,
        "tracking_url": request.tracking_url,
        "dispatched_at": request.dispatched_at.isoformat() if request.dispatched_at else "",
    }
    return _invoice_key(order, number), payload


def invoice_value_preview(
    *,
    order: Order,
    invoice_type: InvoiceType | str = InvoiceType.OUTPUT,
    lines: Sequence[InvoiceLine] | None = None,
) -> int:
    """The value ``invoice_submit`` would compute for these lines (default: what is left)."""
    summary = order_invoicing_summary(order=order)
    available = (
        summary.uninvoiced_quantities
        if invoice_type == InvoiceType.OUTPUT
        else summary.unreturned_quantities
    )
    chosen = _invoice_lines(
        order=order, lines=lines, available=available, summary=summary, invoice_type=invoice_type
    )
    return _invoice_value(summary=summary, invoice_type=invoice_type, chosen=chosen)


def _invoice_key(order: Order, number: str) -> str:
    return command_key(order.vtex_order_id, "invoice", number)


def _invoice_existing(
    *,
    order: Order,
    number: str,
    existing: KnownInvoice,
    wanted: dict[str, Any],
    command: VtexCommand | None,
) -> ActionResult:
    """The number is taken: the same invoice again is a no-op, other data is refused."""
    same = (
        existing.type == wanted["type"]
        and (not wanted["key"] or existing.key == wanted["key"])
        and (not wanted["url"] or existing.url == wanted["url"])
        and (wanted["lines"] is None or existing.lines == wanted["lines"])
        and (wanted["value"] is None or existing.value == wanted["value"])
    )
    if same and command is not None and command.state != CommandState.REJECTED:
        return ActionResult(order=order, command=command, created=False)
    raise ActionRefused(
        _(
            "Invoice number %(number)s is already used on this order with other data; "
            "VTEX would only refresh the first invoice's receipt. Use another number."
        )
        % {"number": number}
    )


def _lines_payload(lines: Sequence[InvoiceLine]) -> list[tuple[int, int]]:
    return sorted((line.position, line.quantity) for line in lines if line.quantity)


def _invoice_lines(
    *,
    order: Order,
    lines: Sequence[InvoiceLine] | None,
    available: dict[int, int],
    summary: InvoicingSummary,
    invoice_type: InvoiceType | str,
    items: Sequence[OrderItem] | None = None,
) -> dict[int, tuple[int, int, str]]:
    """position -> (quantity, unit price, SKU), checked against what is available.
    ``items``: the order's, already read."""
    items = {item.position: item for item in (order.items.all() if items is None else items)}
    requested = (
        {position: quantity for position, quantity in available.items() if quantity > 0}
        if lines is None
        else {}
    )
    for line in lines or ():
        if line.quantity < 0:
            raise ActionRefused(_("Quantities cannot be negative."))
        if line.quantity:
            requested[line.position] = requested.get(line.position, 0) + line.quantity
    if not requested and lines is None:
        raise ActionRefused(_nothing_left(summary, invoice_type))
    if not requested:
        raise ActionRefused(_("Give a quantity for at least one item."))
    chosen: dict[int, tuple[int, int, str]] = {}
    for position, quantity in requested.items():
        item = items.get(position)
        if item is None:
            raise ActionRefused(_("The order has no item #%(position)s.") % {"position": position})
        if quantity > available.get(position, 0):
            raise ActionRefused(
                _("Only %(available)s of %(item)s can still go on this invoice, not %(quantity)s.")
                % {"available": available.get(position, 0), "item": item.name, "quantity": quantity}
            )
        chosen[position] = (quantity, item.invoice_unit_price, item.sku_id)
    return chosen


def _invoice_value(
    *, summary: InvoicingSummary, invoice_type: str, chosen: dict[int, tuple[int, int, str]]
) -> int:
    items_value = sum(quantity * price for quantity, price, _sku in chosen.values())
    if invoice_type == InvoiceType.OUTPUT:
        remaining = summary.uninvoiced_quantities
        if all(chosen.get(pos, (0,))[0] >= qty for pos, qty in remaining.items()):
            # The last invoice carries shipping, order-level discounts and rounding.
            return summary.order_value - summary.output_total
        return items_value
    remaining = summary.unreturned_quantities
    if all(chosen.get(pos, (0,))[0] >= qty for pos, qty in remaining.items()):
        return summary.output_total - summary.input_total
    return items_value


# --- Tracking -------------------------------------------------------------------------------------


def invoice_tracking_set(
    *,
    order: Order,
    user: AbstractBaseUser | None,
    invoice_number: str,
    tracking_number: str,
    tracking_url: str = "",
    courier: str = "",
    dispatched_at: datetime | None = None,
    source: Actor | str = Actor.ADMIN,
    imported_from: ImportedFrom | None = None,
) -> ActionResult:
    """Attach (or replace) the tracking number of an invoice (VTEX: PATCH the invoice).
    ``imported_from``: the import batch and file the request came from, kept in the audit row."""
    tracking_number = tracking_number.strip()
    tracking_url = tracking_url.strip()
    courier = courier.strip()
    if not tracking_number:
        raise ActionRefused(_("A tracking number is required."))
    lengths_check(
        (tracking_number, bounds.TRACKING_NUMBER),
        (tracking_url, bounds.TRACKING_URL),
        (courier, bounds.COURIER),
    )
    _require_dates(order, (dispatched_at, bounds.DISPATCHED_AT))
    with transaction.atomic():
        order = order_lock(order)
        summary = refusal_raise(tracking_number_refusal, order)
        _require_output_invoice(order=order, summary=summary, number=invoice_number)
        payload = {
            "invoice_number": invoice_number,
            "tracking_number": tracking_number,
            "tracking_url": tracking_url,
            "courier": courier,
            "dispatched_at": dispatched_at.isoformat() if dispatched_at else "",
        }
        return order_command_enqueue(
            order=order,
            user=user,
            source=source,
            kind=kinds.TrackingNumber.kind,
            key=command_key(
                order.vtex_order_id, "invoice", invoice_number, "tracking", tracking_number
            ),
            payload=payload,
            imported_from=imported_from,
        )


def tracking_events_send(
    *,
    order: Order,
    user: AbstractBaseUser | None,
    invoice_number: str,
    events: Sequence[TrackingEventInput],
    is_delivered: bool,
    delivered_at: datetime | None = None,
    source: Actor | str = Actor.ADMIN,
) -> ActionResult:
    """Send the carrier's events for an invoice that has a tracking number (VTEX: PUT)."""
    if not events and not is_delivered:
        raise ActionRefused(_("Give at least one tracking event, or mark the package delivered."))
    for event in events:
        lengths_check(
            (event.city.strip(), bounds.TRACKING_CITY),
            (event.state.strip(), bounds.TRACKING_STATE),
            (event.description.strip(), bounds.TRACKING_DESCRIPTION),
        )
    _require_dates(
        order,
        (delivered_at, bounds.DELIVERED_AT),
        *((event.date, bounds.EVENT_DATE) for event in events),
    )
    with transaction.atomic():
        order = order_lock(order)
        summary = refusal_raise(tracking_events_refusal, order)
        invoice = _require_output_invoice(order=order, summary=summary, number=invoice_number)
        if not invoice.tracking_number:
            raise ActionRefused(
                _(
                    "Invoice %(number)s has no tracking number yet: VTEX only accepts "
                    "tracking events after the tracking number."
                )
                % {"number": invoice_number}
            )
        payload = {
            "invoice_number": invoice_number,
            "is_delivered": is_delivered,
            "delivered_at": delivered_at.isoformat() if delivered_at else "",
            "events": [
                {
                    "city": event.city.strip(),
                    "state": event.state.strip(),
                    "description": event.description.strip(),
                    "date": event.date.isoformat(),
                }
                for event in events
            ],
        }
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
        return order_command_enqueue(
            order=order,
            user=user,
            source=source,
            kind=kinds.TrackingEvents.kind,
            key=command_key(order.vtex_order_id, "invoice", invoice_number, "events", digest),
            payload=payload,
        )


def _require_output_invoice(
    *, order: Order, summary: InvoicingSummary, number: str
) -> KnownInvoice:
    invoice = summary.invoices.get(number)
    if invoice is None or invoice.type != InvoiceType.OUTPUT:
        raise ActionRefused(
            _("The order has no sale invoice numbered %(number)s.") % {"number": number}
        )
    return invoice


# --- Cancellation ---------------------------------------------------------------------------------


def order_cancel(
    *,
    order: Order,
    user: AbstractBaseUser | None,
    reason: str,
    source: Actor | str = Actor.ADMIN,
) -> ActionResult:
    """Ask VTEX to cancel the order; refused first where VTEX would refuse (invoices)."""
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("A cancellation needs a reason."))
    lengths_check((reason, bounds.REASON))
    with transaction.atomic():
        order = order_lock(order)
        refusal_raise(cancel_refusal, order)
        key = command_key(order.vtex_order_id, "cancel")
        confirming = order.status == OrderStatus.CANCELLATION_REQUESTED
        if confirming:
            # VTEX cancels a ready-for-handling/handling order in two steps (contract sheet,
            # section 4): the first cancel leaves it cancellation-requested, a second one
            # confirms. The confirmation has its own key, else the first (succeeded) command
            # would answer it and nothing would be sent; it is still sent only once.
            key = command_key(order.vtex_order_id, "cancel", "confirm")
        return order_command_enqueue(
            order=order,
            user=user,
            source=source,
            kind=kinds.Cancel.kind,
            key=key,
            payload={"reason": reason, "confirm": confirming},
        )


def order_return_and_cancel(
    *,
    order: Order,
    user: AbstractBaseUser | None,
    number: str,
    issued_at: datetime,
    reason: str,
    key: str = "",
    url: str = "",
    source: Actor | str = Actor.ADMIN,
) -> tuple[ActionResult, ActionResult]:
    """For an invoiced order: a return invoice of everything, then the cancellation.

    Both commands are written together; the outbox sends them in that order. Each service
    applies its own rule (``return_invoice_refusal``, then ``cancel_refusal`` on the order as
    the return leaves it), which ``return_and_cancel_refusal`` composes; the same form sent
    twice queues nothing new.
    """
    with transaction.atomic():
        returned = invoice_submit(
            order=order,
            user=user,
            number=number,
            issued_at=issued_at,
            invoice_type=InvoiceType.INPUT,
            key=key,
            url=url,
            source=source,
        )
        canceled = order_cancel(order=order, user=user, reason=reason, source=source)
    return returned, canceled


# --- Refresh --------------------------------------------------------------------------------------


def order_refresh(
    *, order: Order, user: AbstractBaseUser | None, source: Actor | str = Actor.ADMIN
) -> ActionResult:
    """Re-read the order from VTEX (through the outbox, so it waits its turn after the
    order's pending commands); one pending refresh per order is enough."""
    with transaction.atomic():
        order = order_lock(order)
        refusal_raise(refresh_refusal, order)
        pending = (
            VtexCommand.objects.filter(order=order, kind=kinds.Refresh.kind, state__in=OPEN_STATES)
            .order_by("pk")
            .first()
        )
        if pending is not None:
            return ActionResult(order=order, command=pending, created=False)
        return order_command_enqueue(
            order=order,
            user=user,
            source=source,
            kind=kinds.Refresh.kind,
            key=command_key(order.vtex_order_id, "refresh", uuid.uuid4().hex),
            payload={},
        )


# --- What each operation needs of the order --------------------------------------------------
#
# One pure rule per operation: ``None`` where the order's status and invoices allow it, else
# why not, for the operator. The operations table shows a button where its rule refuses
# nothing; each service above applies the same rule under the lock, then checks its input.

Refusal = Callable[[Order, InvoicingSummary], str | None]


def start_handling_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """Ready for handling, and never asked before (a rejected request may be asked again)."""
    if order.at_marketplace:
        return _(
            "This order was placed by a marketplace: the marketplace has no start "
            "handling; send its invoice when it is ready."
        )
    if not status_allows(order.status, Action.START_HANDLING):
        return status_refusal(order, Action.START_HANDLING)
    previous = start_handling_request(order=order)
    if previous is not None:
        return _("Start handling was already requested for this order (%(state)s).") % {
            "state": previous.get_state_display(),
        }
    return None


def invoice_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """A sale (Output) invoice: a status VTEX invoices in, and something left to invoice."""
    if not status_allows(order.status, Action.INVOICE):
        return status_refusal(order, Action.INVOICE)
    if summary.change_open:
        # The other direction of orders.services.changes' refusal of a change while an
        # invoice is being sent: VTEX mixes up concurrent changes and invoices.
        return _(
            "The order has an order change still open in VTEX, which changes its items and "
            "value: invoice it once VTEX has applied or canceled the change."
        )
    left = any(quantity > 0 for quantity in summary.uninvoiced_quantities.values())
    if summary.fully_invoiced or not left:
        return _nothing_left(summary, InvoiceType.OUTPUT)
    return None


def return_invoice_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """A return (Input) invoice: VTEX takes one once the whole order value is invoiced."""
    if not summary.fully_invoiced:
        return _(
            "The order is not fully invoiced: VTEX only accepts a return (Input) "
            "invoice once the whole order value has been invoiced."
        )
    if summary.fully_returned:
        return _nothing_left(summary, InvoiceType.INPUT)
    return None


def tracking_number_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """A tracking number goes on a sale invoice."""
    if not status_allows(order.status, Action.TRACKING):
        return status_refusal(order, Action.TRACKING)
    if not sale_invoices(summary):
        return _("The order has no sale invoice yet: a tracking number goes on an invoice.")
    return None


def tracking_events_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """Tracking events go on an invoice that has a tracking number."""
    refusal = tracking_number_refusal(order, summary)
    if refusal is None and not any(i.tracking_number for i in sale_invoices(summary)):
        return _(
            "The order has no tracking number yet: VTEX only accepts tracking events "
            "after an invoice's tracking number."
        )
    return refusal


def cancel_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """Where VTEX cancels: no sale invoice left standing (one returned in full is fine), in a
    status it cancels in."""
    if summary.fully_returned:
        return _returned_cancel_refusal(order)
    if summary.fully_invoiced:
        return _(
            "The order is invoiced: VTEX refuses to cancel it. Use "
            "“Return invoice, then cancel” to send a return invoice first."
        )
    if summary.output_total > 0:
        return _(
            "The order is partially invoiced (%(total)s of %(value)s): VTEX "
            "refuses to cancel it. Register an order change for the rest instead."
        ) % {
            "total": brl(summary.output_total),
            "value": brl(summary.order_value),
        }
    if not status_allows(order.status, Action.CANCEL):
        return status_refusal(order, Action.CANCEL)
    return None


def return_and_cancel_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """A return invoice of everything, then the cancellation of the order it leaves."""
    return return_invoice_refusal(order, summary) or _returned_cancel_refusal(order)


def change_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """VTEX modifies orders in handling, waiting-for-fulfillment and ready for invoicing,
    and not once the payment transaction is finished (the order invoiced in full)."""
    if order.at_marketplace:
        return _(
            "This order was placed by a marketplace, which takes no order changes from its sellers."
        )
    if not status_allows(order.status, Action.CHANGE):
        return status_refusal(order, Action.CHANGE)
    if summary.fully_invoiced:
        return _(
            "The order is invoiced in full: its payment is settled and VTEX no longer modifies it."
        )
    return None


def refresh_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """VTEX answers a read in any status, of the store's orders: a marketplace's order is not
    in the store's OMS, and the back office is where its seller side lives."""
    if order.at_marketplace:
        return _(
            "This order was placed by a marketplace: it is not in the store's VTEX, "
            "there is nothing to read again."
        )
    return None


def status_refusal(order: Order, action: Action) -> str:
    return _("The order is %(status)s in VTEX: %(action)s is not possible in this status.") % {
        "status": status_label(order.status),
        "action": action_label(action),
    }


def _returned_cancel_refusal(order: Order) -> str | None:
    """VTEX cancels an invoiced order once a return invoice gave the whole value back."""
    if order.status in (OrderStatus.INVOICE, OrderStatus.INVOICED):
        return None
    if not status_allows(order.status, Action.CANCEL):
        return status_refusal(order, Action.CANCEL)
    return None


def _nothing_left(summary: InvoicingSummary, invoice_type: InvoiceType | str) -> str:
    """Why no invoice of this type can be made, as the order's invoices stand."""
    if invoice_type == InvoiceType.INPUT:
        return _(
            "Nothing left to return: return invoices already give back the %(total)s invoiced."
        ) % {"total": brl(summary.output_total)}
    if summary.fully_invoiced:
        return _(
            "Nothing left to invoice: the invoices already cover the order value %(value)s."
        ) % {"value": brl(summary.order_value)}
    if summary.output_total == 0:
        return _("Nothing to invoice: the order has no items.")
    return _(
        "Nothing left to invoice: every item is already on an invoice (%(total)s of %(value)s)."
    ) % {"total": brl(summary.output_total), "value": brl(summary.order_value)}


def sale_invoices(summary: InvoicingSummary) -> list[KnownInvoice]:
    """The order's sale (Output) invoices, mirrored or queued."""
    return [invoice for invoice in summary.invoices.values() if invoice.type == InvoiceType.OUTPUT]


# --- Shared ---------------------------------------------------------------------------------------
# The steps every operation's service takes (orders.services.changes' too): lock the order,
# apply its refusal rule and validators, queue its command with the audit row.


def order_lock(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def refusal_raise(
    rule: Refusal, order: Order, summary: InvoicingSummary | None = None
) -> InvoicingSummary:
    """Refuse what ``rule`` refuses for the (locked) order; the summary it was given back. Read
    only when the rule looks at it (start handling, a change and a refresh do not)."""
    if summary is None:
        summary = SimpleLazyObject(lambda: order_invoicing_summary(order=order))
    refusal = rule(order, summary)
    if refusal is not None:
        raise ActionRefused(refusal)
    return summary


def action_label(action: Action | str) -> str:
    labels = {
        Action.START_HANDLING: _("start handling"),
        Action.INVOICE: _("invoicing"),
        Action.TRACKING: _("tracking"),
        Action.CANCEL: _("cancellation"),
        Action.CHANGE: _("an order change"),
        Action.REFRESH: _("refresh"),
    }
    return labels[Action(action)]


def validator_check(validator: Callable[..., None], *args: Any, **kwargs: Any) -> None:
    """Run a validator of ``orders.validators``; what it refuses, the service refuses."""
    try:
        validator(*args, **kwargs)
    except ValidationError as error:
        raise ActionRefused(" ".join(error.messages)) from error


def lengths_check(*fields: tuple[str, TextLength]) -> None:
    """Each value against its field's rule (``orders.validators``: length, characters, a web
    address's scheme, a SKU id's characters), as the forms check it."""
    for value, limit in fields:
        validator_check(limit, value)


def _require_dates(order: Order, *fields: tuple[date | datetime | None, str]) -> None:
    """Each date given within the window around the order (``validate_operation_date``)."""
    for value, field in fields:
        if value is not None:
            validator_check(
                validate_operation_date, value, field=field, order_created_at=order.created_at
            )


def order_command_enqueue(
    *,
    order: Order,
    user: AbstractBaseUser | None,
    source: Actor | str,
    kind: str,
    key: str,
    payload: dict[str, Any],
    imported_from: ImportedFrom | None = None,
) -> ActionResult:
    command, created = command_enqueue(
        subject=order,
        kind=kind,
        key=key,
        payload=payload,
        requested_by=user,
        source=source,
        **_command_target(order),
    )
    if created:
        event_record(
            order=order,
            type=EventType.ACTION_REQUESTED,
            source=source,
            actor_user=user,
            payload=_audited(kind, command.key, payload, imported_from),
        )
    return ActionResult(order=order, command=command, created=created)


def _command_target(order: Order) -> dict[str, str]:
    """Where the order's commands are written: the store's OMS, or, for an order a marketplace
    placed, its marketplaceServicesEndpoint."""
    if order.at_marketplace:
        return {
            "target": CommandTarget.MARKETPLACE,
            "target_endpoint": order.marketplace_services_endpoint,
        }
    return {"target": CommandTarget.STORE, "target_endpoint": ""}


def _audited(
    kind: str, key: str, payload: dict[str, Any], imported_from: ImportedFrom | None
) -> dict[str, Any]:
    """The audit row's payload of a request: what was asked, and from which import batch and
    file (``imports.ImportBatch``) when it came from one."""
    audited = {"action": kind, "command": key, **_audit_payload(payload)}
    if imported_from is not None:
        audited[IMPORT_BATCH_KEY] = imported_from.batch
        audited[CSV_FILE_KEY] = imported_from.file_name
    return audited


def _audit_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The request as audited: without the embedded XML, which can be large."""
    return {name: value for name, value in payload.items() if name != "embedded_xml"}
