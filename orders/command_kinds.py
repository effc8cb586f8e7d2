"""The orders' commands to VTEX: one class per kind, registered with the outbox.

Each class owns its kind's whole life: what its payload holds (a dataclass every reader
goes through: ``kind.payload(command)``), the one VTEX call it stands for at the order's
destination (the store's OMS, or the marketplace services endpoint of an order the seller
side received), how to see in VTEX's order document that an earlier attempt whose answer
was lost already took effect, how the order's timeline says it (``describe``), what it adds
to the order's invoicing summary (``count_in``), what it does to the mirror of a marketplace
order once it succeeded (``applied_at_marketplace``), and what happens when it settles or an
operator resolves it by hand. What the orders app does with every command once they settle
(the audit, mirroring VTEX again) is ``orders.services.outbox.OrderSubject``, which asks the
kind and never branches on it.

Below the selectors (which count queued invoices through these classes) and the services
that queue commands: what a kind does to an order uses only the models, the audit and
``orders.services.marketplace_status``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.actor import Actor
from core.money import brl
from orders.documents import package_rows
from orders.invoicing import KnownInvoice
from orders.models import (
    ChangeStatus,
    EventType,
    InvoiceItem,
    InvoiceType,
    Order,
    OrderChange,
    TrackingEvent,
)
from orders.models import Invoice as InvoiceRow
from orders.models.order import untracked_since
from orders.services.audit import event_record
from orders.services.marketplace_status import CLOSED_STATUSES, marketplace_status_set
from orders.status import OrderStatus
from outbox.enqueue import command_key
from outbox.models import CommandState, CommandTarget, VtexCommand
from outbox.records import xml_summary
from outbox.registry import CommandType, Settled
from vtex import OrderRef, VtexClient

if TYPE_CHECKING:
    from collections.abc import MutableMapping

logger = logging.getLogger(__name__)

# Statuses that prove a start-handling or a cancellation has been applied.
HANDLING_OR_LATER = frozenset(
    {
        OrderStatus.START_HANDLING,
        OrderStatus.HANDLING,
        OrderStatus.WAITING_FOR_FULFILLMENT,
        OrderStatus.READY_FOR_INVOICING,
        OrderStatus.INVOICE,
        OrderStatus.INVOICED,
    }
)
# (request-cancel is the marketplace asking, not a cancellation under way.)
CANCELLATION_UNDER_WAY = frozenset(
    {
        OrderStatus.CANCELLATION_REQUESTED,
        OrderStatus.CANCEL,
        OrderStatus.CANCELED,
    }
)
XML_DROPPED = "embedded_xml_dropped"


def _date_or_none(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _packages(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    packages = (document.get("packageAttachment") or {}).get("packages") or []
    return {str(package.get("invoiceNumber") or ""): package for package in packages}


def command_order(command: VtexCommand) -> Order:
    """The order an order command belongs to (its subject, through the content types
    framework, which types it as anything or nothing)."""
    order = command.subject
    if not isinstance(order, Order):
        raise LookupError(f"command {command.pk}: its subject is not an order ({order!r})")
    return order


def _untracked_since_refresh(order: Order) -> None:
    """``Order.untracked_since`` from the mirror's invoices of a marketplace order, as they now
    are (nothing reads a marketplace order back from VTEX: its commands write the mirror)."""
    order.untracked_since = untracked_since(
        order.invoices.values_list("type", "tracking_number", "issued_at"),
        invoiced_at=order.invoiced_at,
        created_at=order.created_at,
    )
    order.save(update_fields=["untracked_since"])


class OrderCommand(CommandType):
    """A command whose subject is an order. The hooks below are what the orders app does
    with it besides sending it; each kind overrides those that concern it."""

    @classmethod
    def key_for(cls, vtex_order_id: str, *parts: str) -> str:
        """The deterministic key of this kind's command for an order (``{order}:{kind}...``;
        ``parts`` tell apart the order's several commands of the kind, e.g. the invoice
        number)."""
        return command_key(vtex_order_id, cls.kind, *parts)

    # Counted in the order's invoicing summary (``count_in``) while queued or once sent.
    counts_in_invoicing: ClassVar[bool] = False
    # Once it settled at the store, the order's changes may have moved in VTEX: their
    # history is read again.
    follows_changes: ClassVar[bool] = False

    def count_in(
        self,
        command: VtexCommand,
        invoices: MutableMapping[str, KnownInvoice],
        tracking: MutableMapping[str, str],
    ) -> None:
        """Add what the (queued or succeeded) command does to the order's invoices as the
        summary knows them (by number), or to the tracking numbers (by invoice number)."""

    def applied_at_marketplace(self, order: Order, command: VtexCommand) -> None:
        """The command succeeded at the marketplace: bring the (locked) mirror of the order up
        to what it did there (nothing reads a marketplace's order from VTEX)."""

    def settled(self, entry: Settled) -> None:
        """The command settled (inside the transaction that records it, before its audit)."""

    def order_document(self, entry: Settled) -> dict[str, Any] | None:
        """VTEX's order document the settled command brought back, to mirror; None when it
        brought none (the order is then read again if ``reread_after``)."""
        return entry.result.document

    def reread_after(self, entry: Settled) -> bool:
        return entry.command.state != CommandState.DEAD

    def destination(self, command: VtexCommand) -> str | OrderRef:
        order = command_order(command)
        if command.target == CommandTarget.MARKETPLACE:
            return OrderRef(order.marketplace_order_id, command.target_endpoint)
        return order.vtex_order_id

    def verification_read(self, command: VtexCommand, client: VtexClient) -> dict | None:
        # A marketplace's copy of the order cannot be read with the store's keys.
        if command.target != CommandTarget.STORE:
            return None
        return client.get_order(command_order(command).vtex_order_id)


@dataclass(frozen=True)
class NoPayload:
    pass


class StartHandling(OrderCommand):
    kind = "start-handling"
    label = _("Start handling")
    payload_class = NoPayload

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        return client.start_handling(command_order(command).vtex_order_id)

    def describe(self, payload: NoPayload) -> str:
        return gettext("start handling")

    def applied(self, command: VtexCommand, document: dict[str, Any]) -> bool:
        return document.get("status") in HANDLING_OR_LATER


@dataclass(frozen=True)
class InvoicePayload:
    type: str
    number: str
    value: int
    issued_at: str
    items: list[dict[str, Any]]
    lines: list[dict[str, Any]] | None = None
    key: str = ""
    url: str = ""
    embedded_xml: str = ""
    courier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    dispatched_at: str = ""


class Invoice(OrderCommand):
    kind = "invoice"
    label = _("Invoice")
    payload_class = InvoicePayload
    counts_in_invoicing = True

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        invoice: InvoicePayload = self.payload(command)
        return client.send_invoice(
            self.destination(command),
            invoice_type=invoice.type,
            number=invoice.number,
            value=invoice.value,
            issued_at=datetime.fromisoformat(invoice.issued_at),
            items=invoice.items,
            key=invoice.key or None,
            url=invoice.url or None,
            embedded_xml=invoice.embedded_xml or None,
            courier=invoice.courier or None,
            tracking_number=invoice.tracking_number or None,
            tracking_url=invoice.tracking_url or None,
            dispatched_date=_date_or_none(invoice.dispatched_at),
        )

    def applied(self, command: VtexCommand, document: dict[str, Any]) -> bool:
        invoice: InvoicePayload = self.payload(command)
        package = _packages(document).get(invoice.number)
        return package is not None and (package.get("type") or "Output") == invoice.type

    def settled_payload(self, command: VtexCommand) -> dict[str, Any]:
        # The NF-e XML names the customer: once nothing will send it, keep its fingerprint.
        xml = command.payload.get("embedded_xml")
        if not xml:
            return command.payload
        return {**command.payload, "embedded_xml": "", XML_DROPPED: xml_summary(xml)}

    def describe(self, payload: InvoicePayload) -> str:
        values = {"number": payload.number, "value": brl(payload.value or 0)}
        if payload.type == InvoiceType.INPUT:
            return gettext("return invoice %(number)s of %(value)s") % values
        return gettext("sale invoice %(number)s of %(value)s") % values

    def count_in(
        self,
        command: VtexCommand,
        invoices: MutableMapping[str, KnownInvoice],
        tracking: MutableMapping[str, str],
    ) -> None:
        invoice: InvoicePayload = self.payload(command)
        # The mirror's (seen in VTEX's document) wins over the queued one.
        if invoice.number not in invoices:
            invoices[invoice.number] = self.known_invoice(invoice)

    @staticmethod
    def known_invoice(invoice: InvoicePayload) -> KnownInvoice:
        """The invoice as its (queued or sent) command describes it."""
        return KnownInvoice(
            number=invoice.number,
            type=invoice.type,
            value=invoice.value,
            key=invoice.key,
            url=invoice.url,
            lines=sorted((line["position"], line["quantity"]) for line in invoice.lines or ()),
            tracking_number=invoice.tracking_number,
            pending=True,
        )

    def applied_at_marketplace(self, order: Order, command: VtexCommand) -> None:
        invoice: InvoicePayload = self.payload(command)
        if order.invoices.filter(type=invoice.type, number=invoice.number).exists():
            return
        package = {
            "invoiceNumber": invoice.number,
            "type": invoice.type,
            "invoiceValue": invoice.value,
            "issuanceDate": invoice.issued_at,
            "invoiceKey": invoice.key or None,
            "invoiceUrl": invoice.url or None,
            "courier": invoice.courier or None,
            "trackingNumber": invoice.tracking_number or None,
            "trackingUrl": invoice.tracking_url or None,
            "dispatchedDate": invoice.dispatched_at or None,
            "items": [
                {
                    "itemIndex": line["position"],
                    "quantity": line["quantity"],
                    "price": line["price"],
                }
                for line in invoice.lines or ()
            ],
        }
        items = [
            {"position": position, "sku_id": sku_id}
            for position, sku_id in order.items.values_list("position", "sku_id")
        ]
        rows = package_rows(package, items)
        created = InvoiceRow.objects.create(order=order, **rows.fields)
        InvoiceItem.objects.bulk_create(
            InvoiceItem(invoice=created, **line) for line in rows.lines
        )
        invoiced = sum(
            order.invoices.filter(type=InvoiceType.OUTPUT).values_list("value", flat=True)
        )
        if (
            invoice.type == InvoiceType.OUTPUT
            and invoiced >= order.value
            and order.status not in CLOSED_STATUSES
        ):
            order.invoiced_at = timezone.now()
            order.save(update_fields=["invoiced_at"])
            marketplace_status_set(
                order=order,
                to_status=OrderStatus.INVOICED,
                source=Actor.OUTBOX,
                payload={"invoice": invoice.number},
            )
        # After the invoicing date, which an invoice without an issue time waits from.
        _untracked_since_refresh(order)

    def refusal(self, command: VtexCommand) -> tuple[str, str] | None:
        if command.payload.get(XML_DROPPED) and not command.payload.get("embedded_xml"):
            # Retried after it was settled: sending it now would leave the NF-e out.
            return (
                "NFE_XML_DROPPED",
                "The NF-e XML was dropped when this command was settled; "
                "submit the invoice again with its XML.",
            )
        return None


@dataclass(frozen=True)
class TrackingNumberPayload:
    invoice_number: str
    tracking_number: str
    courier: str = ""
    tracking_url: str = ""
    dispatched_at: str = ""


class TrackingNumber(OrderCommand):
    kind = "tracking-number"
    label = _("Tracking number")
    payload_class = TrackingNumberPayload
    counts_in_invoicing = True

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        tracking: TrackingNumberPayload = self.payload(command)
        return client.update_invoice_tracking(
            self.destination(command),
            tracking.invoice_number,
            tracking_number=tracking.tracking_number,
            tracking_url=tracking.tracking_url or None,
            courier=tracking.courier or None,
            dispatched_date=_date_or_none(tracking.dispatched_at),
        )

    def applied(self, command: VtexCommand, document: dict[str, Any]) -> bool:
        tracking: TrackingNumberPayload = self.payload(command)
        package = _packages(document).get(tracking.invoice_number) or {}
        return package.get("trackingNumber") == tracking.tracking_number

    def describe(self, payload: TrackingNumberPayload) -> str:
        values = {
            "tracking": payload.tracking_number,
            "number": payload.invoice_number,
            "courier": payload.courier,
        }
        if payload.courier:
            return (
                gettext("tracking number %(tracking)s (%(courier)s) for invoice %(number)s")
                % values
            )
        return gettext("tracking number %(tracking)s for invoice %(number)s") % values

    def count_in(
        self,
        command: VtexCommand,
        invoices: MutableMapping[str, KnownInvoice],
        tracking: MutableMapping[str, str],
    ) -> None:
        payload: TrackingNumberPayload = self.payload(command)
        tracking[payload.invoice_number] = payload.tracking_number

    def applied_at_marketplace(self, order: Order, command: VtexCommand) -> None:
        payload: TrackingNumberPayload = self.payload(command)
        rows = package_rows(
            {
                "courier": payload.courier or None,
                "trackingNumber": payload.tracking_number,
                "trackingUrl": payload.tracking_url or None,
                "dispatchedDate": payload.dispatched_at or None,
            },
            [],
        )
        fields = {
            name: rows.fields[name]
            for name in ("courier", "tracking_number", "tracking_url", "dispatched_at")
        }
        order.invoices.filter(type=InvoiceType.OUTPUT, number=payload.invoice_number).update(
            **fields
        )
        _untracked_since_refresh(order)


@dataclass(frozen=True)
class TrackingEventsPayload:
    invoice_number: str
    is_delivered: bool
    events: list[dict[str, Any]] = field(default_factory=list)
    delivered_at: str = ""


class TrackingEvents(OrderCommand):
    kind = "tracking-events"
    label = _("Tracking events")
    payload_class = TrackingEventsPayload

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        tracking: TrackingEventsPayload = self.payload(command)
        return client.send_tracking_events(
            self.destination(command),
            tracking.invoice_number,
            is_delivered=tracking.is_delivered,
            events=tracking.events,
            delivered_date=_date_or_none(tracking.delivered_at),
        )

    def applied(self, command: VtexCommand, document: dict[str, Any]) -> bool:
        tracking: TrackingEventsPayload = self.payload(command)
        package = _packages(document).get(tracking.invoice_number) or {}
        courier_status = package.get("courierStatus") or {}
        seen = {str(event.get("description")) for event in courier_status.get("data") or []}
        wanted = {event["description"] for event in tracking.events}
        return bool(courier_status.get("finished")) == tracking.is_delivered and wanted <= seen

    def describe(self, payload: TrackingEventsPayload) -> str:
        count = len(payload.events or [])
        values = {"count": count, "number": payload.invoice_number}
        if payload.is_delivered:
            return (
                ngettext(
                    "delivery of invoice %(number)s, with %(count)s tracking event",
                    "delivery of invoice %(number)s, with %(count)s tracking events",
                    count,
                )
                % values
            )
        return (
            ngettext(
                "%(count)s tracking event for invoice %(number)s",
                "%(count)s tracking events for invoice %(number)s",
                count,
            )
            % values
        )

    def applied_at_marketplace(self, order: Order, command: VtexCommand) -> None:
        payload: TrackingEventsPayload = self.payload(command)
        invoice = order.invoices.filter(
            type=InvoiceType.OUTPUT, number=payload.invoice_number
        ).first()
        if invoice is None:
            return
        rows = package_rows(
            {
                "courierStatus": {
                    "data": payload.events or [],
                    "finished": payload.is_delivered,
                    "deliveredDate": payload.delivered_at or None,
                }
            },
            [],
        )
        known = set(invoice.tracking_events.values_list("description", "occurred_at"))
        TrackingEvent.objects.bulk_create(
            TrackingEvent(invoice=invoice, **event)
            for event in rows.tracking
            if (event["description"], event["occurred_at"]) not in known
        )
        if rows.fields["delivered"]:
            invoice.delivered = True
            invoice.delivered_at = rows.fields["delivered_at"] or timezone.now()
            invoice.save(update_fields=["delivered", "delivered_at"])
            if not order.delivered:
                order.delivered = True
                order.save(update_fields=["delivered"])


@dataclass(frozen=True)
class CancelPayload:
    reason: str
    # The order sat in cancellation-requested: this call confirms VTEX's two-step cancel.
    confirm: bool = False


class Cancel(OrderCommand):
    kind = "cancel"
    label = _("Cancel")
    payload_class = CancelPayload

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        cancel: CancelPayload = self.payload(command)
        return client.cancel_order(self.destination(command), reason=cancel.reason)

    def applied(self, command: VtexCommand, document: dict[str, Any]) -> bool:
        status = document.get("status")
        if self.payload(command).confirm:
            # Only the confirmation moves an order on from cancellation-requested.
            return status in {OrderStatus.CANCEL, OrderStatus.CANCELED}
        return status in CANCELLATION_UNDER_WAY

    def describe(self, payload: CancelPayload) -> str:
        values = {"reason": payload.reason}
        if payload.confirm:
            return gettext("confirmation of the cancellation (reason: “%(reason)s”)") % values
        return gettext("cancellation (reason: “%(reason)s”)") % values

    def applied_at_marketplace(self, order: Order, command: VtexCommand) -> None:
        if order.status != OrderStatus.CANCELED:
            marketplace_status_set(
                order=order,
                to_status=OrderStatus.CANCELED,
                source=Actor.OUTBOX,
                payload={"reason": self.payload(command).reason},
            )


# Which VTEX API an order change goes through (``VTEX_ORDER_CHANGES_API``).
MODIFICATIONS = "modifications"
LEGACY = "legacy"


@dataclass(frozen=True)
class ChangePayload:
    request_id: str
    # "modifications": ``change`` is an Order Modifications body (Createchange); "legacy":
    # the RegisterChange fields below.
    api: str = LEGACY
    change: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    discount_value: int = 0
    increment_value: int = 0
    items_removed: list[dict[str, Any]] = field(default_factory=list)
    items_added: list[dict[str, Any]] = field(default_factory=list)


# The Order Modifications API keeps no id of ours: a change is marked by this suffix of its
# reason, so that a create whose answer was lost is found in VTEX's change history.
CHANGE_MARKER = " [ref {}]"


def change_marker(request_id: str) -> str:
    return CHANGE_MARKER.format(request_id[:12])


class ChangeCommand(OrderCommand):
    """The Order Modifications calls read VTEX's change history, not the order, to see
    whether an earlier attempt took effect."""

    follows_changes = True

    def order_document(self, entry: Settled) -> dict[str, Any] | None:
        # Its verification read is VTEX's change history, not the order.
        return None

    def verification_read(self, command: VtexCommand, client: VtexClient) -> dict | None:
        return client.get_change_history(command_order(command).vtex_order_id)


class Change(ChangeCommand):
    kind = "change"
    label = _("Order change")
    payload_class = ChangePayload

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        change: ChangePayload = self.payload(command)
        if change.api == MODIFICATIONS:
            body = dict(change.change)
            body["reason"] = body["reason"] + change_marker(change.request_id)
            return client.create_change(command_order(command).vtex_order_id, change=body)
        return client.register_change(
            command_order(command).vtex_order_id,
            request_id=change.request_id,
            reason=change.reason,
            discount_value=change.discount_value,
            increment_value=change.increment_value,
            items_removed=change.items_removed,
            items_added=change.items_added,
        )

    def verification_read(self, command: VtexCommand, client: VtexClient) -> dict | None:
        if self.payload(command).api == MODIFICATIONS:
            return super().verification_read(command, client)
        return client.get_order(command_order(command).vtex_order_id)

    def applied(self, command: VtexCommand, document: dict[str, Any]) -> bool:
        change: ChangePayload = self.payload(command)
        if change.api == MODIFICATIONS:
            marker = change_marker(change.request_id)
            return any(
                str(request.get("reason") or "").endswith(marker)
                for request in document.get("requests") or []
            )
        changes = (document.get("changesAttachment") or {}).get("changesData") or []
        return any(entry.get("requestId") == change.request_id for entry in changes)

    def describe(self, payload: ChangePayload) -> str:
        # (An audit row of a Modifications change holds its body; a legacy one, its fields.)
        return change_description(payload.change or asdict(payload))

    def settled(self, entry: Settled) -> None:
        command = entry.command
        if command.state == CommandState.SUCCEEDED:
            self._created(command, entry.result.answer)
        elif command.state in (CommandState.REJECTED, CommandState.DEAD):
            self._refused(command)

    def _created(self, command: VtexCommand, answer: Any) -> None:
        """VTEX accepted the change: with the Order Modifications API (202) keep its
        requestId and workflowId, VTEX processes it next; RegisterChange (legacy) is
        synchronous, its receipt means done."""
        change = OrderChange.objects.filter(
            order_id=command.subject_id, request_token=self.payload(command).request_id
        ).first()
        if change is None or not isinstance(answer, dict):
            # Found already applied after a lost answer: the history read that follows has it.
            return
        if change.api == LEGACY:
            change.status = ChangeStatus.DONE
            change.message = str(answer.get("receipt") or "")
            change.save(update_fields=["status", "message", "updated_at"])
            event_record(
                order=change.order,
                type=EventType.CHANGE_DONE,
                source=Actor.OUTBOX,
                receipt=change.message,
                payload={"command": command.key, "api": LEGACY, "answer": answer},
            )
            return
        if not answer.get("requestId"):
            return
        change.vtex_request_id = str(answer["requestId"])
        change.workflow_id = str(answer.get("workflowId") or "")
        if change.status in (ChangeStatus.REQUESTED, ChangeStatus.REJECTED):
            # (Rejected, then sent again by an operator's "retry now" in the command admin.)
            change.status = ChangeStatus.WAITING_ACKNOWLEDGEMENT
        if "totalChangeValue" in answer:
            change.total_change_value = int(answer.get("totalChangeValue") or 0)
        change.save(
            update_fields=[
                "vtex_request_id",
                "workflow_id",
                "status",
                "total_change_value",
                "updated_at",
            ]
        )
        event_record(
            order=change.order,
            type=EventType.CHANGE_REQUESTED,
            source=Actor.OUTBOX,
            receipt=change.vtex_request_id,
            payload={
                "command": command.key,
                "vtex_request_id": change.vtex_request_id,
                "workflow_id": change.workflow_id,
                "total_change_value": change.total_change_value,
                "totals": answer.get("totals"),
            },
        )

    def _refused(self, command: VtexCommand) -> None:
        """VTEX refused to create the change (or delivery gave up): it ends here."""
        updated = OrderChange.objects.filter(
            order_id=command.subject_id,
            request_token=self.payload(command).request_id,
            status=ChangeStatus.REQUESTED,
        ).update(
            status=ChangeStatus.REJECTED,
            message=f"{command.last_error_code}: {command.last_error_message}".strip(": "),
        )
        if updated:
            logger.info("order change %s refused by VTEX", command.key)

    def resolved_by_hand(self, command: VtexCommand, *, user: User, note: str) -> None:
        """Closed by hand before VTEX created the change (the command list's "mark
        resolved"): nothing will send it, so the change ends and no longer keeps the order
        from another one."""
        OrderChange.objects.filter(
            order_id=command.subject_id,
            request_token=self.payload(command).request_id,
            status=ChangeStatus.REQUESTED,
        ).update(
            status=ChangeStatus.CANCELED,
            message=gettext("Closed by hand: %(note)s") % {"note": note},
        )


@dataclass(frozen=True)
class ChangeFollowUpPayload:
    change_request_id: str
    reason: str


class ChangeRetry(ChangeCommand):
    """Process again a change VTEX stopped on error."""

    kind = "change-retry"
    label = _("Order change retry")
    payload_class = ChangeFollowUpPayload

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        retry: ChangeFollowUpPayload = self.payload(command)
        return client.retry_change(
            command_order(command).vtex_order_id, retry.change_request_id, reason=retry.reason
        )

    def applied(self, command: VtexCommand, document: dict[str, Any]) -> bool:
        return _change_status(document, self.payload(command).change_request_id) not in (
            None,
            "error",
        )


class ChangeCancel(ChangeCommand):
    """End a change VTEX stopped on error."""

    kind = "change-cancel"
    label = _("Order change cancellation")
    payload_class = ChangeFollowUpPayload

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        cancel: ChangeFollowUpPayload = self.payload(command)
        return client.cancel_change(
            command_order(command).vtex_order_id, cancel.change_request_id, reason=cancel.reason
        )

    def applied(self, command: VtexCommand, document: dict[str, Any]) -> bool:
        return _change_status(document, self.payload(command).change_request_id) == "canceled"


def _change_status(history: dict[str, Any], request_id: str) -> str | None:
    for request in history.get("requests") or []:
        if request.get("requestId") == request_id:
            return request.get("status")
    return None


class Refresh(OrderCommand):
    """Read the order again from VTEX (no write: repeating it is harmless). The document it
    answers is mirrored when the command settles (``OrderSubject.after_settled``)."""

    kind = "refresh"
    label = _("Refresh from VTEX")
    payload_class = NoPayload
    verify_before_resend = False
    # What it read is mirrored, changes included.
    follows_changes = True

    def describe(self, payload: NoPayload) -> str:
        return gettext("refresh from VTEX")

    def order_document(self, entry: Settled) -> dict[str, Any] | None:
        answer = entry.result.answer
        return answer if isinstance(answer, dict) else None

    def reread_after(self, entry: Settled) -> bool:
        # It was the read; a failed one is not repeated here.
        return False

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        return client.get_order(command_order(command).vtex_order_id)

    def refusal(self, command: VtexCommand) -> tuple[str, str] | None:
        if command.target != CommandTarget.STORE:
            # The order lives in a marketplace's OMS, which a seller cannot read.
            return ("NOT_AT_THE_STORE", "A marketplace's order is not in the store's OMS.")
        return None


def change_description(change: dict[str, Any]) -> str:
    """An order change as sent, in words: its reason and each of its lines. ``change`` is the
    Order Modifications body (``reason``, ``remove``/``add``/``replace`` items, manual discount
    and increment), or a legacy RegisterChange payload (``items_removed``...)."""
    reason = change.get("reason", "")
    lines = change_lines(change)
    if not lines:
        return gettext("order change (reason: “%(reason)s”)") % {"reason": reason}
    return gettext("order change (reason: “%(reason)s”): %(lines)s") % {
        "reason": reason,
        "lines": "; ".join(lines),
    }


def change_lines(change: dict[str, Any]) -> list[str]:
    """Each line of an order change, in the operator's language, money in R$."""

    def items(name: str, legacy: str) -> list[dict[str, Any]]:
        found = (change.get(name) or {}).get("items") if name in change else change.get(legacy)
        return [item for item in found or [] if isinstance(item, dict)]

    lines = []
    for item in items("remove", "items_removed"):
        quantity = item.get("quantity") or 0
        lines.append(
            ngettext(
                "%(quantity)s unit of SKU %(sku)s removed",
                "%(quantity)s units of SKU %(sku)s removed",
                quantity,
            )
            % {"quantity": quantity, "sku": item.get("id", "")}
        )
    for swap in change.get("replace") or []:
        old = (swap.get("from") or {}).get("items") or []
        new = (swap.get("to") or {}).get("items") or []
        for before, after in zip(old, new, strict=False):
            quantity = before.get("quantity") or 0
            lines.append(
                ngettext(
                    "%(quantity)s unit of SKU %(sku)s replaced by %(new_quantity)s of SKU "
                    "%(new_sku)s",
                    "%(quantity)s units of SKU %(sku)s replaced by %(new_quantity)s of SKU "
                    "%(new_sku)s",
                    quantity,
                )
                % {
                    "quantity": quantity,
                    "sku": before.get("id", ""),
                    "new_quantity": after.get("quantity") or 0,
                    "new_sku": after.get("id", ""),
                }
            )
    for item in items("add", "items_added"):
        quantity = item.get("quantity") or 0
        values = {"quantity": quantity, "sku": item.get("id", ""), "price": brl(item.get("price"))}
        if item.get("price"):
            lines.append(
                ngettext(
                    "%(quantity)s unit of SKU %(sku)s added, at %(price)s",
                    "%(quantity)s units of SKU %(sku)s added, at %(price)s each",
                    quantity,
                )
                % values
            )
        else:
            lines.append(
                ngettext(
                    "%(quantity)s unit of SKU %(sku)s added",
                    "%(quantity)s units of SKU %(sku)s added",
                    quantity,
                )
                % values
            )
    discount = change.get("manualDiscountValue", change.get("discount_value")) or 0
    increment = change.get("manualIncrementValue", change.get("increment_value")) or 0
    if discount:
        lines.append(gettext("discount of %(value)s") % {"value": brl(discount)})
    if increment:
        lines.append(gettext("increment of %(value)s") % {"value": brl(increment)})
    return lines



COMMAND_TYPES = (
    StartHandling,
    Invoice,
    TrackingNumber,
    TrackingEvents,
    Cancel,
    Change,
    ChangeRetry,
    ChangeCancel,
    Refresh,
)
