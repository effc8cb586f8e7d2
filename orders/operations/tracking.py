"""A sale invoice's tracking number (VTEX: PATCH the invoice)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib.auth.models import User
from django.db import transaction
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
    WallTimeField,
    bounded,
    date_in_window,
)
from orders.models import InvoiceType, Order
from orders.operations.common import (
    ActionResult,
    ImportedFrom,
    dates_check,
    lengths_check,
    order_command_enqueue,
    order_lock,
    refusal_raise,
    sale_invoices,
    status_refusal,
)
from orders.operations.permissions import TRACK
from orders.selectors.invoicing import InvoicingSummary, KnownInvoice
from orders.status import Action, status_allows


def tracking_number_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """A tracking number goes on a sale invoice."""
    if not status_allows(order.status, Action.TRACKING):
        return status_refusal(order, Action.TRACKING)
    if not sale_invoices(summary):
        return _("The order has no sale invoice yet: a tracking number goes on an invoice.")
    return None


def invoice_tracking_set(
    *,
    order: Order,
    user: User | None,
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
    dates_check(order, (dispatched_at, bounds.DISPATCHED_AT))
    with transaction.atomic():
        order = order_lock(order)
        summary = refusal_raise(tracking_number_refusal, order)
        sale_invoice_require(order=order, summary=summary, number=invoice_number)
        payload = kinds.TrackingNumberPayload(
            invoice_number=invoice_number,
            tracking_number=tracking_number,
            tracking_url=tracking_url,
            courier=courier,
            dispatched_at=dispatched_at.isoformat() if dispatched_at else "",
        )
        return order_command_enqueue(
            order=order,
            user=user,
            source=source,
            kind=kinds.TrackingNumber.kind,
            key=kinds.Invoice.key_for(
                order.vtex_order_id, invoice_number, "tracking", tracking_number
            ),
            payload=payload,
            imported_from=imported_from,
        )


def sale_invoice_require(*, order: Order, summary: InvoicingSummary, number: str) -> KnownInvoice:
    invoice = summary.invoices.get(number)
    if invoice is None or invoice.type != InvoiceType.OUTPUT:
        raise ActionRefused(
            _("The order has no sale invoice numbered %(number)s.") % {"number": number}
        )
    return invoice


class SaleInvoiceForm(OperationForm):
    """About one of the order's sale invoices, chosen first."""

    invoice_number = forms.ChoiceField(label=gettext_lazy("Invoice"))

    def __init__(self, *args: Any, summary: InvoicingSummary, **kwargs: Any) -> None:
        super().__init__(*args, summary=summary, **kwargs)
        cast(forms.ChoiceField, self.fields["invoice_number"]).choices = self.invoice_choices(
            sale_invoices(summary)
        )

    def invoice_choices(self, invoices: list[KnownInvoice]) -> list[tuple[str, str]]:
        return [(i.number, f"{i.number} ({brl(i.value)})") for i in invoices]


class TrackingNumberForm(SaleInvoiceForm):
    tracking_number = bounded(
        forms.CharField(label=gettext_lazy("Tracking number")), bounds.TRACKING_NUMBER
    )
    tracking_url = bounded(
        forms.URLField(label=gettext_lazy("Tracking URL"), required=False, assume_scheme="https"),
        bounds.TRACKING_URL,
    )
    courier = bounded(
        forms.CharField(label=gettext_lazy("Courier"), required=False), bounds.COURIER
    )
    dispatched_at = WallTimeField(label=gettext_lazy("Dispatched at"), required=False)

    def clean_dispatched_at(self) -> Any:
        return date_in_window(self, "dispatched_at", bounds.DISPATCHED_AT, None)


# fmt: off
OPERATIONS = (
    Operation("tracking-number", gettext_lazy("Tracking number"), TRACK,
              tracking_number_refusal, invoice_tracking_set, TrackingNumberForm,
              submit_label=gettext_lazy("Send tracking number")),
)
# fmt: on
