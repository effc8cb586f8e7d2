"""The operations on orders in the admin, built from the operations table
(``orders.operations.table``): the order page's buttons, one URL and one view for all of them, the
changelist actions, and the per-order report of what was queued and what was refused.

Thin by design: parse the input, call one service per order, report. The rules (status,
invoices, totals) are in the operations' modules (``orders.operations``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from core.money import brl
from core.refusals import ActionRefused
from orders.admin.timeline import change_log
from orders.command_kinds import change_lines
from orders.forms import OperationForm
from orders.models import ChangeStatus, Order
from orders.operations.cancel import CancelForm
from orders.operations.common import ActionResult
from orders.operations.operation import Operation
from orders.operations.table import OPERATIONS, operations_allowed
from orders.selectors.changes import order_changes
from orders.selectors.invoicing import InvoicingSummary, order_invoicing_summary
from orders.services.changes import ChangePreview
from outbox.models import VtexCommand
from outbox.refusals import vtex_answer
from outbox.reports import queued_report
from outbox.selectors import subject_commands, subject_commands_url


def report(
    request: HttpRequest,
    *,
    results: Iterable[ActionResult],
    refusals: Iterable[tuple[Order, str]],
    queued_message: str,
) -> None:
    """The outbox's report of what a request queued, by order id."""
    results = list(results)
    queued_report(
        request,
        what=queued_message,
        queued=[result.order.vtex_order_id for result in results if result.created],
        repeated=[result.order.vtex_order_id for result in results if not result.created],
        refused=[(order.vtex_order_id, reason) for order, reason in refusals],
    )


def order_totals(order: Order, summary: InvoicingSummary) -> list[tuple[str, str]]:
    """The order's totals and where its invoicing stands, as the operation pages show them."""
    return [
        (_("Items"), brl(order.items_total)),
        (_("Discounts"), brl(order.discounts_total)),
        (_("Shipping"), brl(order.shipping_total)),
        (_("Tax"), brl(order.tax_total)),
        (_("Order value"), brl(summary.order_value)),
        (_("Invoiced"), brl(summary.output_total)),
        (_("Left to invoice"), brl(max(summary.order_value - summary.output_total, 0))),
        (_("Returned"), brl(summary.input_total)),
    ]


def preview_display(preview: ChangePreview) -> dict[str, Any]:
    """A change's preview as the operator reads it: the values, and what the customer gets
    back or pays."""
    delta = preview.total_change_value
    if delta < 0:
        money = _("The customer will be refunded %(amount)s.") % {"amount": brl(-delta)}
    elif delta > 0:
        money = _("The customer will be charged %(amount)s more.") % {"amount": brl(delta)}
    else:
        money = _("The order's value does not change.")
    labels = {
        "Items": _("Items"),
        "Discounts": _("Discounts"),
        "Shipping": _("Shipping"),
        "Tax": _("Tax"),
    }
    return {
        "value": brl(preview.order_value),
        "new_value": brl(preview.new_value),
        "change": brl(delta),
        "money": money,
        "totals": [(labels.get(key, key), brl(value)) for key, value in preview.totals.items()],
    }


def operation_url_name(operation: Operation) -> str:
    return f"orders_order_op_{operation.name.replace('-', '_')}"


def changelist_action(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A changelist action running the table's operation ``name`` on each selected order,
    offered to the users its permissions allow (``OrderOperationsMixin.get_actions``)."""
    operation = OPERATIONS[name]

    def decorate(action: Callable[..., Any]) -> Callable[..., Any]:
        action.operation = operation  # type: ignore[attr-defined]
        return admin.action(description=operation.label)(action)

    return decorate


class OrderOperationsMixin:
    """Mixed into ``OrderAdmin`` (before ``ModelAdmin``)."""

    actions = ["start_handling_selected", "cancel_selected", "refresh_selected"]

    # --- Changelist actions --------------------------------------------------------------------

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {
            name: action
            for name, action in super().get_actions(request).items()
            if not hasattr(action[0], "operation") or action[0].operation.allowed_to(request.user)
        }

    @changelist_action("start-handling")
    def start_handling_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._run_selected(request, queryset, OPERATIONS["start-handling"])

    @changelist_action("cancel")
    def cancel_selected(
        self, request: HttpRequest, queryset: QuerySet[Order]
    ) -> HttpResponse | None:
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._run_selected(request, queryset, OPERATIONS["cancel"], form.arguments())
            return None
        return self._action_form_page(
            request,
            queryset=queryset,
            action="cancel_selected",
            form=form,
            title=_("Cancel orders"),
            submit_label=_("Cancel these orders"),
            unavailable=self._refused_beforehand(request, queryset, OPERATIONS["cancel"]),
        )

    @changelist_action("refresh")
    def refresh_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._run_selected(request, queryset, OPERATIONS["refresh"])

    def _run_selected(
        self,
        request: HttpRequest,
        queryset: QuerySet[Order],
        operation: Operation,
        arguments: dict[str, Any] | None = None,
    ) -> None:
        """The operation on each order in its own transaction: one refusal stops no other."""
        arguments = arguments or {}
        results: list[ActionResult] = []
        refusals: list[tuple[Order, str]] = []
        for order in queryset.order_by("pk"):
            try:
                results.extend(operation.run(order=order, user=request.user, arguments=arguments))
            except ActionRefused as refusal:
                refusals.append((order, refusal.message))
        report(
            request,
            results=results,
            refusals=refusals,
            queued_message=operation.queued_message(arguments),
        )

    def _refused_beforehand(
        self, request: HttpRequest, queryset: QuerySet[Order], operation: Operation
    ) -> list[tuple[Order, str]]:
        """The selected orders the operation's rule refuses, with why, for its form page: the
        operator sees them before typing. Not for a selection across every page (each order
        reads its invoices): those are reported after the run."""
        if request.POST.get("select_across", "0") != "0":
            return []
        return [
            (order, refusal)
            for order in queryset.order_by("pk")
            if (refusal := operation.refusal(order, order_invoicing_summary(order=order)))
        ]

    def _action_form_page(
        self,
        request: HttpRequest,
        *,
        queryset: QuerySet,
        action: str,
        form: Any,
        title: str,
        submit_label: str,
        unavailable: Sequence[tuple[Order, str]] = (),
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
                "unavailable": unavailable,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
            },
        )

    # --- The order page -------------------------------------------------------------------------

    def _operations_context(
        self,
        request: HttpRequest,
        order: Order,
        *,
        summary: InvoicingSummary,
        commands: list[VtexCommand] | None = None,
    ) -> dict[str, Any]:
        """The order page's operations box: ``order_operations`` in the page's context. Beside
        the buttons, the operations the user may run but the order does not allow now, each
        with why (the operations table's rule), so nobody opens a form to learn it; and the
        order's changes, with retry and cancel for one stopped on error."""
        buttons, unavailable = [], []
        for operation in operations_allowed(user=request.user):
            refusal = operation.refusal(order, summary)
            if refusal is not None:
                if operation.listed_when_unavailable:
                    unavailable.append(
                        {"name": operation.name, "label": operation.label, "why": refusal}
                    )
                continue
            buttons.append(
                {
                    "name": operation.name,
                    "label": operation.label,
                    "url": reverse(f"admin:{operation_url_name(operation)}", args=[order.pk]),
                    "one_click": operation.one_click,
                }
            )
        urls = {button["name"]: button["url"] for button in buttons}
        changes = [
            {
                "change": change,
                "value_change": brl(change.total_change_value),
                "lines": change_lines(change.change),
                "log": change_log(change.logs),
                "retry_url": urls.get("change-retry")
                if change.status == ChangeStatus.ERROR
                else None,
                "cancel_url": urls.get("change-cancel")
                if change.status == ChangeStatus.ERROR
                else None,
            }
            for change in order_changes(order=order)
        ]
        return {
            "buttons": buttons,
            "unavailable": unavailable,
            "changes": changes,
            "commands": [
                {
                    "command": command,
                    "answer": vtex_answer(command.last_error_code, command.last_error_message),
                }
                for command in (subject_commands(subject=order) if commands is None else commands)
            ],
            "invoiced": brl(summary.output_total),
            "returned": brl(summary.input_total),
            "commands_url": subject_commands_url(subject=order),
        }

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.operation_view)
        urls = [
            path(
                f"<path:object_id>/operations/{operation.name}/",
                view,
                {"name": operation.name},
                name=operation_url_name(operation),
            )
            for operation in OPERATIONS.values()
        ]
        return urls + super().get_urls()

    def operation_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        """Any operation of the table on one order.

        One-click: a POST runs it and goes back to the order page, with what was queued or
        why not. With a form: a GET shows the form, or, where the order does not allow the
        operation, why (nothing to submit); a valid POST runs it and goes back to the order
        page, a refused one shows the form again with the refusal.
        """
        operation = OPERATIONS[name]
        order = self._order_for(request, object_id, operation)
        if operation.one_click:
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            self._run(request, operation, order, {})
            return self._back_to_order(order)
        summary = order_invoicing_summary(order=order)
        if request.method != "POST":
            refusal = operation.refusal(order, summary)
            if refusal is not None:
                return self._operation_page(
                    request, order, operation, summary=summary, refusal=refusal
                )
            form = operation.form(order=order, summary=summary)
        else:
            form = operation.form(request.POST, order=order, summary=summary)
            if form.is_valid():
                if operation.preview is None:
                    if self._run(request, operation, order, form.arguments()):
                        return self._back_to_order(order)
                else:
                    confirmed = form.confirmed_preview() if "confirm" in request.POST else None
                    if confirmed is not None:
                        arguments = {**form.arguments(), "preview": confirmed}
                        if self._run(request, operation, order, arguments):
                            return self._back_to_order(order)
                    else:
                        return self._preview_page(request, order, operation, form, summary)
        return self._operation_page(request, order, operation, summary=summary, form=form)

    def _preview_page(
        self,
        request: HttpRequest,
        order: Order,
        operation: Operation,
        form: OperationForm,
        summary: InvoicingSummary,
    ) -> HttpResponse:
        """VTEX's preview of what the operator built (a read the request waits for: nothing
        changes at VTEX), with the button that confirms it; VTEX down or refusing is an error
        above the form."""
        try:
            preview = operation.preview(order=order, summary=summary, arguments=form.arguments())
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
            return self._operation_page(request, order, operation, summary=summary, form=form)
        data = request.POST.copy()
        data["confirmation"] = form.confirmation_for(preview)
        form = operation.form(data, order=order, summary=summary)
        form.is_valid()
        return self._operation_page(
            request, order, operation, summary=summary, form=form, preview=preview
        )

    def _order_for(self, request: HttpRequest, object_id: str, operation: Operation) -> Order:
        if not operation.allowed_to(request.user):
            raise PermissionDenied
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404(_("No order with this id."))
        if not self.has_view_permission(request, order):
            raise PermissionDenied
        return order

    def _run(
        self, request: HttpRequest, operation: Operation, order: Order, arguments: dict[str, Any]
    ) -> bool:
        """Run the operation on one order and say what was queued; False, with the refusal
        in the page's messages, when the service refused."""
        try:
            results = operation.run(order=order, user=request.user, arguments=arguments)
        except ActionRefused as refusal:
            messages.error(request, refusal.message)
            return False
        report(
            request,
            results=results,
            refusals=(),
            queued_message=operation.queued_message(arguments),
        )
        return True

    def _back_to_order(self, order: Order) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

    def _operation_page(
        self,
        request: HttpRequest,
        order: Order,
        operation: Operation,
        *,
        summary: InvoicingSummary,
        form: OperationForm | None = None,
        refusal: str | None = None,
        preview: ChangePreview | None = None,
    ) -> HttpResponse:
        """The operation's form, or (``refusal``) why the order does not allow it; beside it,
        the order's totals and what is left to invoice."""
        return TemplateResponse(
            request,
            "admin/orders/order/operation_form.html",
            {
                **self.admin_site.each_context(request),
                "title": operation.page_title,
                "subtitle": order.vtex_order_id,
                "opts": self.model._meta,
                "order": order,
                "form": form,
                "formsets": form.formsets if form else [],
                "notes": form.notes() if form else [],
                "refusal": refusal,
                "totals": order_totals(order, summary),
                "submit_label": operation.submit_label,
                "confirm_label": operation.confirm_label,
                "preview": preview_display(preview) if preview else None,
                "order_url": reverse("admin:orders_order_change", args=[order.pk]),
            },
        )
