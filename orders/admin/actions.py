"""The operations on orders in the admin: changelist actions, the forms behind the order
page's buttons, and the per-order report of what was queued and what was refused.

Thin by design: parse the input, call one service per order, report. The rules (status,
invoices, totals) are in ``orders.services.actions``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.forms import (
    AddedItemFormSet,
    CancelForm,
    InvoiceForm,
    OrderChangeForm,
    ReturnAndCancelForm,
    TrackingEventFormSet,
    TrackingEventsForm,
    TrackingNumberForm,
)
from orders.models import InvoiceType, Order
from orders.money import brl
from orders.selectors import (
    InvoicingSummary,
    order_available_actions,
    order_invoicing_summary,
)
from orders.services.actions import (
    ActionRefused,
    ActionResult,
    invoice_submit,
    invoice_tracking_set,
    invoice_value_preview,
    order_cancel,
    order_change,
    order_refresh,
    order_return_and_cancel,
    order_start_handling,
    tracking_events_send,
)
from outbox.selectors import subject_commands, subject_commands_url

# Operation name -> the permission it needs (app label included).
OPERATION_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "start-handling": ("orders.start_handling_order",),
    "invoice": ("orders.invoice_order",),
    "return-invoice": ("orders.invoice_order",),
    "tracking-number": ("orders.track_order",),
    "tracking-events": ("orders.track_order",),
    "cancel": ("orders.cancel_order",),
    "return-and-cancel": ("orders.cancel_order", "orders.invoice_order"),
    "change": ("orders.register_order_change",),
    "refresh": ("orders.refresh_order",),
}
OPERATION_LABELS = {
    "start-handling": gettext_lazy("Start handling"),
    "invoice": gettext_lazy("Invoice"),
    "return-invoice": gettext_lazy("Return invoice"),
    "tracking-number": gettext_lazy("Tracking number"),
    "tracking-events": gettext_lazy("Tracking events"),
    "cancel": gettext_lazy("Cancel"),
    "return-and-cancel": gettext_lazy("Return invoice, then cancel"),
    "change": gettext_lazy("Order change"),
    "refresh": gettext_lazy("Refresh from VTEX"),
}
# Operations done with one click (a POST); the others open a form.
ONE_CLICK = frozenset({"start-handling", "refresh"})


def report(
    request: HttpRequest,
    *,
    results: Iterable[ActionResult],
    refusals: Iterable[tuple[Order, str]],
    queued_message: str,
) -> None:
    """One message for what was queued, one for what was already queued, one per refusal."""
    queued = [result.order.vtex_order_id for result in results if result.created]
    repeated = [result.order.vtex_order_id for result in results if not result.created]
    if queued:
        messages.success(
            request,
            _("%(what)s queued for: %(orders)s.")
            % {"what": queued_message, "orders": ", ".join(queued)},
        )
    if repeated:
        messages.info(
            request,
            _("Already queued earlier, nothing new sent for: %(orders)s.")
            % {"orders": ", ".join(repeated)},
        )
    for order, reason in refusals:
        messages.warning(
            request,
            _("%(order)s refused: %(reason)s") % {"order": order.vtex_order_id, "reason": reason},
        )


def run_per_order(
    orders: Iterable[Order], service: Callable[[Order], ActionResult]
) -> tuple[list[ActionResult], list[tuple[Order, str]]]:
    """Call ``service`` for each order in its own transaction: one refusal stops no other."""
    results: list[ActionResult] = []
    refusals: list[tuple[Order, str]] = []
    for order in orders:
        try:
            results.append(service(order))
        except ActionRefused as refusal:
            refusals.append((order, refusal.message))
    return results, refusals


class OrderOperationsMixin:
    """Mixed into ``OrderAdmin`` (before ``ModelAdmin``)."""

    actions = ["start_handling_selected", "cancel_selected", "refresh_selected"]

    # --- Permissions (``@admin.action(permissions=[...])`` calls has_<name>_permission) -----

    def has_start_handling_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("orders.start_handling_order")

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("orders.cancel_order")

    def has_refresh_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("orders.refresh_order")

    # --- Changelist actions --------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Start handling"), permissions=["start_handling"])
    def start_handling_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        results, refusals = run_per_order(
            queryset.order_by("pk"),
            lambda order: order_start_handling(order=order, user=request.user),
        )
        report(request, results=results, refusals=refusals, queued_message=_("Start handling"))

    @admin.action(description=gettext_lazy("Cancel"), permissions=["cancel"])
    def cancel_selected(
        self, request: HttpRequest, queryset: QuerySet[Order]
    ) -> HttpResponse | None:
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            results, refusals = run_per_order(
                queryset.order_by("pk"),
                lambda order: order_cancel(order=order, user=request.user, reason=reason),
            )
            report(request, results=results, refusals=refusals, queued_message=_("Cancellation"))
            return None
        return self._action_form_page(
            request,
            queryset=queryset,
            action="cancel_selected",
            form=form,
            title=_("Cancel orders"),
            submit_label=_("Cancel these orders"),
        )

    @admin.action(description=gettext_lazy("Refresh from VTEX"), permissions=["refresh"])
    def refresh_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        results, refusals = run_per_order(
            queryset.order_by("pk"),
            lambda order: order_refresh(order=order, user=request.user),
        )
        report(request, results=results, refusals=refusals, queued_message=_("Refresh"))

    def _action_form_page(
        self,
        request: HttpRequest,
        *,
        queryset: QuerySet,
        action: str,
        form: Any,
        title: str,
        submit_label: str,
    ) -> TemplateResponse:
        opts = self.model._meta
        return TemplateResponse(
            request,
            "admin/action_with_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": opts,
                "objects": queryset,
                "form": form,
                "action": action,
                "submit_label": submit_label,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
            },
        )

    # --- The order page -------------------------------------------------------------------------

    def _operations_context(
        self, request: HttpRequest, order: Order, *, summary: InvoicingSummary
    ) -> dict[str, Any]:
        """The order page's operations box: ``order_operations`` in the page's context."""
        buttons = []
        for name in order_available_actions(order=order, summary=summary):
            if not request.user.has_perms(OPERATION_PERMISSIONS[name]):
                continue
            buttons.append(
                {
                    "name": name,
                    "label": OPERATION_LABELS[name],
                    "url": self._operation_url(order, name),
                    "one_click": name in ONE_CLICK,
                }
            )
        return {
            "buttons": buttons,
            "commands": subject_commands(subject=order),
            "invoiced": brl(summary.output_total),
            "returned": brl(summary.input_total),
            "commands_url": subject_commands_url(subject=order),
        }

    def _operation_url(self, order: Order, name: str) -> str:
        view = "invoice" if name == "return-invoice" else name
        return reverse(f"admin:orders_order_op_{view.replace('-', '_')}", args=[order.pk])

    def get_urls(self) -> list[Any]:
        def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            return self.admin_site.admin_view(view)

        operations = [
            ("start-handling", self.start_handling_view),
            ("refresh", self.refresh_view),
            ("invoice", self.invoice_view),
            ("tracking-number", self.tracking_number_view),
            ("tracking-events", self.tracking_events_view),
            ("cancel", self.cancel_view),
            ("return-and-cancel", self.return_and_cancel_view),
            ("change", self.order_change_view),
        ]
        urls = [
            path(
                f"<path:object_id>/operations/{name}/",
                wrap(view),
                name=f"orders_order_op_{name.replace('-', '_')}",
            )
            for name, view in operations
        ]
        return urls + super().get_urls()

    def _order_for(self, request: HttpRequest, object_id: str, *permissions: str) -> Order:
        if not request.user.has_perms(permissions):
            raise PermissionDenied
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404(_("No order with this id."))
        if not self.has_view_permission(request, order):
            raise PermissionDenied
        return order

    def _back_to_order(self, order: Order) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

    def _done(
        self,
        request: HttpRequest,
        order: Order,
        service: Callable[[], ActionResult | tuple[ActionResult, ...]],
        queued_message: str,
    ) -> HttpResponse | None:
        """Run one order's service; a redirect to the order page, or None when refused (the
        refusal is added to the form page's messages)."""
        try:
            outcome = service()
        except ActionRefused as refusal:
            messages.error(request, refusal.message)
            return None
        results = outcome if isinstance(outcome, tuple) else (outcome,)
        report(request, results=results, refusals=(), queued_message=queued_message)
        return self._back_to_order(order)

    def _form_page(
        self,
        request: HttpRequest,
        order: Order,
        *,
        title: str,
        form: Any,
        formsets: Iterable[Any] = (),
        notes: Iterable[str] = (),
        submit_label: str,
    ) -> HttpResponse:
        return render(
            request,
            "admin/orders/order/operation_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "subtitle": order.vtex_order_id,
                "opts": self.model._meta,
                "order": order,
                "form": form,
                "formsets": list(formsets),
                "notes": list(notes),
                "submit_label": submit_label,
                "order_url": reverse("admin:orders_order_change", args=[order.pk]),
            },
        )

    # --- One-click operations ---------------------------------------------------------------------

    def start_handling_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self._order_for(request, object_id, "orders.start_handling_order")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        done = self._done(
            request,
            order,
            lambda: order_start_handling(order=order, user=request.user),
            _("Start handling"),
        )
        return done or self._back_to_order(order)

    def refresh_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self._order_for(request, object_id, "orders.refresh_order")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        done = self._done(
            request, order, lambda: order_refresh(order=order, user=request.user), _("Refresh")
        )
        return done or self._back_to_order(order)

    # --- Form operations --------------------------------------------------------------------------

    def _operation_form(
        self,
        request: HttpRequest,
        order: Order,
        *,
        form: Any,
        formsets: Iterable[Any] = (),
        run: Callable[[], ActionResult | tuple[ActionResult, ...]],
        done_label: str | Callable[[], str],
        title: str,
        submit_label: str,
        notes: Iterable[str] | Callable[[], Iterable[str]] = (),
    ) -> HttpResponse:
        """A form operation: on a POST whose form (and formsets) are valid, ``run`` the service
        and go back to the order page; otherwise, or when the service refuses, the form page.

        ``run`` and a callable ``done_label`` are called only with valid data; callable
        ``notes`` only when the form page is rendered (after a refusal, if any).
        """
        formsets = list(formsets)
        if request.method == "POST" and all(f.is_valid() for f in (form, *formsets)):
            label = done_label() if callable(done_label) else done_label
            done = self._done(request, order, run, label)
            if done is not None:
                return done
        return self._form_page(
            request,
            order,
            title=title,
            form=form,
            formsets=formsets,
            notes=notes() if callable(notes) else notes,
            submit_label=submit_label,
        )

    def invoice_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self._order_for(request, object_id, "orders.invoice_order")
        summary = order_invoicing_summary(order=order)
        form = InvoiceForm(
            request.POST if request.method == "POST" else None, order=order, summary=summary
        )
        returning = summary.fully_invoiced

        def submit() -> ActionResult:
            data = form.cleaned_data
            return invoice_submit(
                order=order,
                user=request.user,
                invoice_type=data["invoice_type"],
                number=data["number"],
                issued_at=data["issued_at"],
                lines=form.lines(),
                key=data["key"],
                url=data["url"],
                embedded_xml=data["embedded_xml"],
                courier=data["courier"],
                tracking_number=data["tracking_number"],
                tracking_url=data["tracking_url"],
                dispatched_at=data["dispatched_at"],
            )

        def notes() -> list[str]:
            notes = [
                _("Invoiced so far: %(invoiced)s of %(value)s.")
                % {"invoiced": brl(summary.output_total), "value": brl(summary.order_value)}
            ]
            try:
                preview = invoice_value_preview(
                    order=order,
                    invoice_type=InvoiceType.INPUT if returning else InvoiceType.OUTPUT,
                )
            except ActionRefused as refusal:
                notes.append(refusal.message)
            else:
                notes.append(
                    _(
                        "Value of an invoice for everything left: %(value)s (the invoice that "
                        "completes the order also carries shipping). The value is computed from "
                        "the quantities you choose."
                    )
                    % {"value": brl(preview)}
                )
            return notes

        return self._operation_form(
            request,
            order,
            form=form,
            run=submit,
            done_label=lambda: _("Invoice %(number)s") % {"number": form.cleaned_data["number"]},
            title=_("Return invoice") if returning else _("Invoice"),
            notes=notes,
            submit_label=_("Send invoice"),
        )

    def tracking_number_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self._order_for(request, object_id, "orders.track_order")
        summary = order_invoicing_summary(order=order)
        form = TrackingNumberForm(
            request.POST if request.method == "POST" else None, summary=summary
        )
        return self._operation_form(
            request,
            order,
            form=form,
            run=lambda: invoice_tracking_set(
                order=order,
                user=request.user,
                invoice_number=form.cleaned_data["invoice_number"],
                tracking_number=form.cleaned_data["tracking_number"],
                tracking_url=form.cleaned_data["tracking_url"],
                courier=form.cleaned_data["courier"],
                dispatched_at=form.cleaned_data["dispatched_at"],
            ),
            done_label=_("Tracking number"),
            title=_("Tracking number"),
            submit_label=_("Send tracking number"),
        )

    def tracking_events_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self._order_for(request, object_id, "orders.track_order")
        summary = order_invoicing_summary(order=order)
        data = request.POST if request.method == "POST" else None
        form = TrackingEventsForm(data, summary=summary)
        formset = TrackingEventFormSet(data, prefix="events")
        return self._operation_form(
            request,
            order,
            form=form,
            formsets=[formset],
            run=lambda: tracking_events_send(
                order=order,
                user=request.user,
                invoice_number=form.cleaned_data["invoice_number"],
                events=[f.event() for f in formset.forms if f.has_changed() and f.cleaned_data],
                is_delivered=form.cleaned_data["is_delivered"],
                delivered_at=form.cleaned_data["delivered_at"],
            ),
            done_label=_("Tracking events"),
            title=_("Tracking events"),
            submit_label=_("Send tracking events"),
        )

    def cancel_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self._order_for(request, object_id, "orders.cancel_order")
        form = CancelForm(request.POST if request.method == "POST" else None)
        return self._operation_form(
            request,
            order,
            form=form,
            run=lambda: order_cancel(
                order=order, user=request.user, reason=form.cleaned_data["reason"]
            ),
            done_label=_("Cancellation"),
            title=_("Cancel order"),
            submit_label=_("Cancel order"),
        )

    def return_and_cancel_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self._order_for(request, object_id, "orders.cancel_order", "orders.invoice_order")
        form = ReturnAndCancelForm(request.POST if request.method == "POST" else None)

        def notes() -> list[str]:
            summary = order_invoicing_summary(order=order)
            return [
                _(
                    "VTEX only cancels an invoiced order after a return invoice of its whole "
                    "value (%(value)s). Both are sent, in this order."
                )
                % {"value": brl(summary.output_total - summary.input_total)}
            ]

        return self._operation_form(
            request,
            order,
            form=form,
            run=lambda: order_return_and_cancel(
                order=order,
                user=request.user,
                number=form.cleaned_data["number"],
                issued_at=form.cleaned_data["issued_at"],
                key=form.cleaned_data["key"],
                url=form.cleaned_data["url"],
                reason=form.cleaned_data["reason"],
            ),
            done_label=_("Return invoice and cancellation"),
            title=_("Return invoice, then cancel"),
            notes=notes,
            submit_label=_("Return and cancel"),
        )

    def order_change_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self._order_for(request, object_id, "orders.register_order_change")
        data = request.POST if request.method == "POST" else None
        form = OrderChangeForm(data, order=order)
        added = AddedItemFormSet(data, prefix="added")
        return self._operation_form(
            request,
            order,
            form=form,
            formsets=[added],
            run=lambda: order_change(
                order=order,
                user=request.user,
                reason=form.cleaned_data["reason"],
                items_removed=form.items_removed(),
                items_added=[f.line() for f in added.forms if f.has_changed() and f.cleaned_data],
                discount_value=form.cleaned_data["discount_value"] or 0,
                increment_value=form.cleaned_data["increment_value"] or 0,
                request_id=form.cleaned_data["request_id"],
            ),
            done_label=_("Order change"),
            title=_("Order change"),
            submit_label=_("Register change"),
        )
