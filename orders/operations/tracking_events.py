"""The carrier's events of a sale invoice that has a tracking number (VTEX: PUT)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actor import Actor
from core.admin_operations import Operation
from core.refusals import ActionRefused
from orders import command_kinds as kinds
from orders import validators as bounds
from orders.forms import (
    CaptionedFormSet,
    DatePicker,
    WallTimeField,
    bounded,
    date_in_window,
)
from orders.models import Order
from orders.operations.common import (
    ActionResult,
    dates_check,
    lengths_check,
    order_command_enqueue,
    order_lock,
    refusal_raise,
    sale_invoices,
)
from orders.operations.permissions import TRACK
from orders.operations.tracking import (
    SaleInvoiceForm,
    sale_invoice_require,
    tracking_number_refusal,
)
from orders.selectors.invoicing import InvoicingSummary, KnownInvoice


@dataclass(frozen=True)
class TrackingEventInput:
    city: str
    state: str
    description: str
    date: date


def tracking_events_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """Tracking events go on an invoice that has a tracking number."""
    refusal = tracking_number_refusal(order, summary)
    if refusal is None and not any(i.tracking_number for i in sale_invoices(summary)):
        return _(
            "The order has no tracking number yet: VTEX only accepts tracking events "
            "after an invoice's tracking number."
        )
    return refusal


def tracking_events_send(
    *,
    order: Order,
    user: User | None,
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
    dates_check(
        order,
        (delivered_at, bounds.DELIVERED_AT),
        *((event.date, bounds.EVENT_DATE) for event in events),
    )
    with transaction.atomic():
        order = order_lock(order)
        summary = refusal_raise(tracking_events_refusal, order)
        invoice = sale_invoice_require(order=order, summary=summary, number=invoice_number)
        if not invoice.tracking_number:
            raise ActionRefused(
                _(
                    "Invoice %(number)s has no tracking number yet: VTEX only accepts "
                    "tracking events after the tracking number."
                )
                % {"number": invoice_number}
            )
        payload = kinds.TrackingEventsPayload(
            invoice_number=invoice_number,
            is_delivered=is_delivered,
            delivered_at=delivered_at.isoformat() if delivered_at else "",
            events=[
                {
                    "city": event.city.strip(),
                    "state": event.state.strip(),
                    "description": event.description.strip(),
                    "date": event.date.isoformat(),
                }
                for event in events
            ],
        )
        # The same events sent twice are one command: the key carries what they say.
        digest = hashlib.sha256(
            json.dumps(kinds.TrackingEvents.payload_data(payload), sort_keys=True).encode()
        ).hexdigest()[:16]
        return order_command_enqueue(
            order=order,
            user=user,
            source=source,
            kind=kinds.TrackingEvents.kind,
            key=kinds.Invoice.key_for(order.vtex_order_id, invoice_number, "events", digest),
            payload=payload,
        )


class TrackingEventForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=DatePicker)
    city = bounded(forms.CharField(label=gettext_lazy("City")), bounds.TRACKING_CITY)
    state = bounded(forms.CharField(label=gettext_lazy("State")), bounds.TRACKING_STATE)
    description = bounded(
        forms.CharField(label=gettext_lazy("Description")), bounds.TRACKING_DESCRIPTION
    )

    def clean_date(self) -> Any:
        return date_in_window(self, "date", bounds.EVENT_DATE, None)

    def event(self) -> TrackingEventInput:
        return TrackingEventInput(**self.cleaned_data)


class _TrackingEvents(CaptionedFormSet):
    caption = gettext_lazy("Tracking events")


TrackingEventFormSet = forms.formset_factory(TrackingEventForm, formset=_TrackingEvents, extra=3)


class TrackingEventsForm(SaleInvoiceForm):
    """The events of a sale invoice that has a tracking number, in the ``events`` formset."""

    is_delivered = forms.BooleanField(label=gettext_lazy("Delivered"), required=False)
    delivered_at = WallTimeField(label=gettext_lazy("Delivered at"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events = TrackingEventFormSet(self.data if self.is_bound else None, prefix="events")
        self.formsets.append(self.events)

    def invoice_choices(self, invoices: list[KnownInvoice]) -> list[tuple[str, str]]:
        return [
            (invoice.number, f"{invoice.number} — {invoice.tracking_number}")
            for invoice in invoices
            if invoice.tracking_number
        ]

    def clean_delivered_at(self) -> Any:
        return date_in_window(self, "delivered_at", bounds.DELIVERED_AT, None)

    def arguments(self) -> dict[str, Any]:
        return {
            **self.cleaned_data,
            "events": [f.event() for f in self.events.forms if f.has_changed() and f.cleaned_data],
        }


# fmt: off
OPERATIONS = (
    Operation("tracking-events", gettext_lazy("Tracking events"), TRACK,
              tracking_events_refusal, tracking_events_send, TrackingEventsForm,
              submit_label=gettext_lazy("Send tracking events")),
)
# fmt: on
