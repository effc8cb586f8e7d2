"""The operations on orders in the admin: the order page's operations box, the changelist
actions and the form pages' totals and preview. The URLs, the buttons, the one operation view
and the per-order report of what was queued and what was refused are the admin toolkit's
(``core.admin_operations``), fed by the operations table (``orders.operations``).

Thin by design: parse the input, call one service per order, report. The rules (status,
invoices, totals) are in the operations' modules (``orders.operations``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_operations import (
    Operation,
    OperationsAdminMixin,
    operation_action,
    operation_list_action,
)
from core.money import brl
from core.refusals import ActionRefused
from orders.admin.timeline import change_log
from orders.command_kinds import change_lines
from orders.forms import OperationForm
from orders.models import ChangeStatus, Order
from orders.operations.cancel import CancelForm
from orders.operations.table import OPERATIONS
from orders.selectors.changes import order_changes
from orders.selectors.invoicing import InvoicingSummary, order_invoicing_summary
from orders.services.changes import ChangePreview
from outbox.models import VtexCommand
from outbox.refusals import vtex_answer
from outbox.reports import queued_report
from outbox.selectors import subject_commands, subject_commands_url


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


class OrderOperationsMixin(OperationsAdminMixin[Order]):
    """Mixed into ``OrderAdmin`` (before ``ModelAdmin``)."""

    operations = OPERATIONS
    operation_record = "order"
    operation_refused = ActionRefused
    operation_report = staticmethod(queued_report)
    operation_form_template = "admin/orders/order/operation_form.html"
    operation_not_found = gettext_lazy("No order with this id.")

    # ModelAdmin's declared type, which the mixin must repeat to be mixed in.
    actions: Sequence[Callable[..., Any] | str] | None = [
        operation_action(OPERATIONS["start-handling"]),
        "cancel_selected",
        operation_action(OPERATIONS["refresh"]),
    ]

    def operation_situation(self, record: Order) -> InvoicingSummary:
        return order_invoicing_summary(order=record)

    def operation_keywords(self, record: Order, situation: InvoicingSummary) -> dict[str, Any]:
        return {"order": record, "summary": situation}

    def operation_label(self, record: Order) -> str:
        return record.vtex_order_id

    # --- Changelist actions --------------------------------------------------------------------

    @operation_list_action(OPERATIONS["cancel"])
    def cancel_selected(
        self, request: HttpRequest, queryset: QuerySet[Order]
    ) -> HttpResponse | None:
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self.run_selected(request, queryset, OPERATIONS["cancel"], form.arguments())
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
        operations = self.operation_buttons(request, order, situation=summary)
        urls = {button["name"]: button["url"] for button in operations["buttons"]}
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
            **operations,
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

    def operation_page_context(
        self,
        request: HttpRequest,
        record: Order,
        operation: Operation,
        *,
        situation: InvoicingSummary,
        form: OperationForm | None,
        preview: ChangePreview | None,
    ) -> dict[str, Any]:
        """Beside the form, the order's totals and what is left to invoice; a change's
        preview."""
        return {
            "order": record,
            "formsets": form.formsets if form else [],
            "notes": form.notes() if form else [],
            "totals": order_totals(record, situation),
            "preview": preview_display(preview) if preview else None,
            "order_url": self.record_url(record),
        }
