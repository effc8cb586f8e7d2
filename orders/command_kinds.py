"""The orders' commands to VTEX: one class per kind, registered with the outbox.

Each class says what its payload holds, the one VTEX call it stands for at the order's
destination (the store's OMS, or the marketplace services endpoint of an order the seller
side received), and how to see in VTEX's order document that an earlier attempt whose
answer was lost already took effect. What the orders app does once commands settle (the
audit, mirroring VTEX again) is ``orders.services.outbox.OrderSubject``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from orders.models import Order
from orders.status import OrderStatus
from outbox.models import CommandTarget, VtexCommand
from outbox.records import xml_summary
from outbox.registry import CommandType
from vtex import OrderRef, VtexClient

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


class OrderCommand(CommandType):
    """A command whose subject is an order."""

    def destination(self, command: VtexCommand) -> str | OrderRef:
        order: Order = command.subject
        if command.target == CommandTarget.MARKETPLACE:
            return OrderRef(order.marketplace_order_id, command.target_endpoint)
        return order.vtex_order_id

    def verification_read(self, command: VtexCommand, client: VtexClient) -> dict | None:
        # A marketplace's copy of the order cannot be read with the store's keys.
        if command.target != CommandTarget.STORE:
            return None
        return client.get_order(command.subject.vtex_order_id)


@dataclass(frozen=True)
class NoPayload:
    pass


class StartHandling(OrderCommand):
    kind = "start-handling"
    label = _("Start handling")
    payload_class = NoPayload

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        return client.start_handling(command.subject.vtex_order_id)

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


@dataclass(frozen=True)
class ChangePayload:
    request_id: str
    # "modifications": ``change`` is an Order Modifications body (Createchange); "legacy":
    # the RegisterChange fields below.
    api: str = "legacy"
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

    def verification_read(self, command: VtexCommand, client: VtexClient) -> dict | None:
        return client.get_change_history(command.subject.vtex_order_id)


class Change(ChangeCommand):
    kind = "change"
    label = _("Order change")
    payload_class = ChangePayload

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        change: ChangePayload = self.payload(command)
        if change.api == "modifications":
            body = dict(change.change)
            body["reason"] = body["reason"] + change_marker(change.request_id)
            return client.create_change(command.subject.vtex_order_id, change=body)
        return client.register_change(
            command.subject.vtex_order_id,
            request_id=change.request_id,
            reason=change.reason,
            discount_value=change.discount_value,
            increment_value=change.increment_value,
            items_removed=change.items_removed,
            items_added=change.items_added,
        )

    def verification_read(self, command: VtexCommand, client: VtexClient) -> dict | None:
        if self.payload(command).api == "modifications":
            return super().verification_read(command, client)
        return client.get_order(command.subject.vtex_order_id)

    def applied(self, command: VtexCommand, document: dict[str, Any]) -> bool:
        change: ChangePayload = self.payload(command)
        if change.api == "modifications":
            marker = change_marker(change.request_id)
            return any(
                str(request.get("reason") or "").endswith(marker)
                for request in document.get("requests") or []
            )
        changes = (document.get("changesAttachment") or {}).get("changesData") or []
        return any(entry.get("requestId") == change.request_id for entry in changes)


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
            command.subject.vtex_order_id, retry.change_request_id, reason=retry.reason
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
            command.subject.vtex_order_id, cancel.change_request_id, reason=cancel.reason
        )

    def applied(self, command: VtexCommand, document: dict[str, Any]) -> bool:
        return _change_status(document, self.payload(command).change_request_id) == "canceled"


def _change_status(history: dict[str, Any], request_id: str) -> str | None:
    for request in history.get("requests") or []:
        if request.get("requestId") == request_id:
            return request.get("status")
    return None


# Their verification read is VTEX's change history, not the order document.
CHANGE_KINDS = frozenset({Change.kind, ChangeRetry.kind, ChangeCancel.kind})


class Refresh(OrderCommand):
    """Read the order again from VTEX (no write: repeating it is harmless). The document it
    answers is mirrored when the command settles (``OrderSubject.after_settled``)."""

    kind = "refresh"
    label = _("Refresh from VTEX")
    payload_class = NoPayload
    verify_before_resend = False

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        return client.get_order(command.subject.vtex_order_id)

    def refusal(self, command: VtexCommand) -> tuple[str, str] | None:
        if command.target != CommandTarget.STORE:
            # The order lives in a marketplace's OMS, which a seller cannot read.
            return ("NOT_AT_THE_STORE", "A marketplace's order is not in the store's OMS.")
        return None


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
