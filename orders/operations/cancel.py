"""Cancellation: where VTEX cancels; for an invoiced order, a return invoice of everything
first, then the cancellation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actor import Actor
from core.admin_operations import Operation
from core.money import brl
from core.refusals import ActionRefused
from orders import command_kinds as kinds
from orders import validators as bounds
from orders.forms import (
    OperationForm,
    bounded,
    date_in_window,
)
from orders.models import InvoiceType, Order
from orders.operations.common import (
    ActionResult,
    lengths_check,
    order_command_enqueue,
    order_lock,
    refusal_raise,
    status_refusal,
)
from orders.operations.invoice import (
    InvoiceIdentityForm,
    InvoiceRequest,
    invoice_submit,
    return_invoice_refusal,
)
from orders.operations.permissions import CANCEL, INVOICE
from orders.selectors.invoicing import InvoicingSummary
from orders.status import Action, OrderStatus, status_allows


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


def _returned_cancel_refusal(order: Order) -> str | None:
    """VTEX cancels an invoiced order once a return invoice gave the whole value back."""
    if order.status in (OrderStatus.INVOICE, OrderStatus.INVOICED):
        return None
    if not status_allows(order.status, Action.CANCEL):
        return status_refusal(order, Action.CANCEL)
    return None


def order_cancel(
    *,
    order: Order,
    user: User | None,
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
        key = kinds.Cancel.key_for(order.vtex_order_id)
        confirming = order.status == OrderStatus.CANCELLATION_REQUESTED
        if confirming:
            # VTEX cancels a ready-for-handling/handling order in two steps (contract sheet,
            # section 4): the first cancel leaves it cancellation-requested, a second one
            # confirms. The confirmation has its own key, else the first (succeeded) command
            # would answer it and nothing would be sent; it is still sent only once.
            key = kinds.Cancel.key_for(order.vtex_order_id, "confirm")
        return order_command_enqueue(
            order=order,
            user=user,
            source=source,
            kind=kinds.Cancel.kind,
            key=key,
            payload=kinds.CancelPayload(reason=reason, confirm=confirming),
        )


def order_return_and_cancel(
    *,
    order: Order,
    user: User | None,
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
            InvoiceRequest(
                order=order,
                number=number,
                issued_at=issued_at,
                invoice_type=InvoiceType.INPUT,
                key=key,
                url=url,
            ),
            user=user,
            source=source,
        )
        canceled = order_cancel(order=order, user=user, reason=reason, source=source)
    return returned, canceled


class CancelForm(OperationForm):
    reason = bounded(
        forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2})),
        bounds.REASON,
    )


class ReturnAndCancelForm(InvoiceIdentityForm):
    reason = bounded(
        forms.CharField(
            label=gettext_lazy("Cancellation reason"), widget=forms.Textarea(attrs={"rows": 2})
        ),
        bounds.REASON,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].label = gettext_lazy("Return invoice number")
        self.fields["key"].help_text = ""

    def clean_issued_at(self) -> Any:
        # As the tracking forms: the upper bound here, the whole window in the service.
        return date_in_window(self, "issued_at", bounds.ISSUED_AT, None)

    def notes(self) -> list[str | Promise]:
        summary = self.summary
        if summary is None:
            # Built for several orders (a changelist action): no one order's value to tell.
            return []
        return [
            gettext_lazy(
                "VTEX only cancels an invoiced order after a return invoice of its whole "
                "value (%(value)s). Both are sent, in this order."
            )
            % {"value": brl(summary.output_total - summary.input_total)}
        ]


# fmt: off
OPERATIONS = (
    Operation("cancel", gettext_lazy("Cancel"), CANCEL,
              cancel_refusal, order_cancel, CancelForm,
              queued=gettext_lazy("Cancellation"), title=gettext_lazy("Cancel order"),
              submit_label=gettext_lazy("Cancel order")),
    Operation("return-and-cancel", gettext_lazy("Return invoice, then cancel"), (*CANCEL, *INVOICE),
              return_and_cancel_refusal, order_return_and_cancel, ReturnAndCancelForm,
              queued=gettext_lazy("Return invoice and cancellation"),
              submit_label=gettext_lazy("Return and cancel")),
)
# fmt: on
