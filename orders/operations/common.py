"""What every operation's service shares (``orders.services.changes``' too): the refusal and
the result, and the steps each takes: lock the order, apply its refusal rule and validators,
queue its command with the audit row.

A refusal raises ``ActionRefused`` with a message for the operator; VTEX's own refusals
arrive later, on the command (see ``outbox`` and ``orders.command_kinds``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext as _

from core.actor import Actor
from core.refusals import ActionRefused
from core.validators import TextLength
from orders.models import EventType, InvoiceType, Order
from orders.models.audit import CSV_FILE_KEY, IMPORT_BATCH_KEY
from orders.selectors.invoicing import InvoicingSummary, KnownInvoice, order_invoicing_summary
from orders.services.audit import event_record
from orders.status import Action, status_label
from orders.validators import validate_operation_date
from outbox.enqueue import command_enqueue
from outbox.models import CommandTarget, VtexCommand
from outbox.registry import command_type


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


# One pure rule per operation: ``None`` where the order's status and invoices allow it, else
# why not, for the operator. The operations table shows a button where its rule refuses
# nothing; each service applies the same rule under the lock, then checks its input.
Refusal = Callable[[Order, InvoicingSummary], str | None]


def order_lock(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


def refusal_raise(
    rule: Refusal, order: Order, summary: InvoicingSummary | None = None
) -> InvoicingSummary:
    """Refuse what ``rule`` refuses for the (locked) order; the summary it was given back. Read
    only when the rule looks at it (start handling, a change and a refresh do not)."""
    if summary is None:
        # The proxy stands for the summary it reads on first use.
        summary = cast(
            InvoicingSummary, SimpleLazyObject(lambda: order_invoicing_summary(order=order))
        )
    refusal = rule(order, summary)
    if refusal is not None:
        raise ActionRefused(refusal)
    return summary


def status_refusal(order: Order, action: Action) -> str:
    return _("The order is %(status)s in VTEX: %(action)s is not possible in this status.") % {
        "status": status_label(order.status),
        "action": action_label(action),
    }


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


def sale_invoices(summary: InvoicingSummary) -> list[KnownInvoice]:
    """The order's sale (Output) invoices, mirrored or queued."""
    return [invoice for invoice in summary.invoices.values() if invoice.type == InvoiceType.OUTPUT]


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


def dates_check(order: Order, *fields: tuple[date | datetime | None, str | Promise]) -> None:
    """Each date given within the window around the order (``validate_operation_date``)."""
    for value, field in fields:
        if value is not None:
            validator_check(
                validate_operation_date, value, field=field, order_created_at=order.created_at
            )


def order_command_enqueue(
    *,
    order: Order,
    user: User | None,
    source: Actor | str,
    kind: str,
    key: str,
    payload: Any,
    imported_from: ImportedFrom | None = None,
) -> ActionResult:
    """Queue the order's command (``payload``: its kind's payload dataclass, see
    ``orders.command_kinds``) with its audit row, in the caller's transaction."""
    payload = command_type(kind).payload_data(payload)
    command, created = command_enqueue(
        subject=order,
        kind=kind,
        key=key,
        payload=payload,
        requested_by=user,
        source=source,
        **command_target(order),
    )
    if created:
        event_record(
            order=order,
            type=EventType.ACTION_REQUESTED,
            source=source,
            actor_user=user,
            payload=audited(kind, command.key, payload, imported_from),
        )
    return ActionResult(order=order, command=command, created=created)


def command_target(order: Order) -> dict[str, str]:
    """Where the order's commands are written: the store's OMS, or, for an order a marketplace
    placed, its marketplaceServicesEndpoint."""
    if order.at_marketplace:
        return {
            "target": CommandTarget.MARKETPLACE,
            "target_endpoint": order.marketplace_services_endpoint,
        }
    return {"target": CommandTarget.STORE, "target_endpoint": ""}


def audited(
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
