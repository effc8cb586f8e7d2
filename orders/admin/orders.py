"""Read side of orders in the admin: the mirror follows VTEX, so nobody edits it here.

The list and the order page run a fixed number of queries whatever the number of orders,
items, invoices or events. Customer data is always rendered through
`orders.selectors.customers.customer_display`, the one place that decides what a user may see.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_display import badge, short_datetime, truncated
from core.admin_permissions import ReadOnlyAdminMixin
from core.money import brl
from imports.admin import import_links
from imports.spreadsheet import StreamedExportMixin
from orders.admin.actions import OrderOperationsMixin
from orders.admin.filters import HasInvoiceFilter, LateFilter, QueueFilter, StatusFilter
from orders.admin.scale import (
    LIST_AT_SCALE_TEMPLATE,
    EstimatedCountPaginator,
    IndexedValuesFieldListFilter,
)
from orders.admin.timeline import timeline
from orders.models import Order
from orders.selectors.customers import customer_display
from orders.selectors.detail import order_detail_related
from orders.selectors.invoicing import order_invoicing_summary
from orders.selectors.queues import orders_late
from orders.selectors.search import order_search
from orders.spreadsheets import OrderExportResource
from orders.status import status_colour, status_label
from outbox.selectors import subject_commands

# Searching by one of these finds the customer it belongs to, which is seeing it: only with
# ``orders.view_customer_pii``.
PII_SEARCH_FIELDS = frozenset(
    {
        "customer_email",
        "customer_document",
        "customer_phone",
        "customer_corporate_document",
        "customer_corporate_phone",
    }
)


def status_badge(status: str) -> str:
    return badge(
        "order-status", status, status_label(status), status_colour(status), attribute="status"
    )


class MaskedExportMixin(StreamedExportMixin):
    """CSV (for a spreadsheet or for programs) and XLSX exports of the list as filtered,
    streamed, for the user exporting (masking)."""

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"user": request.user}


@admin.register(Order)
class OrderAdmin(OrderOperationsMixin, ReadOnlyAdminMixin, MaskedExportMixin, admin.ModelAdmin):
    resource_classes = (OrderExportResource,)
    import_export_change_list_template = LIST_AT_SCALE_TEMPLATE
    paginator = EstimatedCountPaginator
    list_filter = (
        StatusFilter,
        LateFilter,
        QueueFilter,
        ("created_at", admin.DateFieldListFilter),
        ("sales_channel", IndexedValuesFieldListFilter),
        "origin",
        HasInvoiceFilter,
    )
    search_fields = (
        "=vtex_order_id",
        "=sequence",
        "customer_first_name",
        "customer_last_name",
        "customer_email",
        "=customer_document",
    )
    search_help_text = _(
        "Order id (with or without its -01), sequence, customer name, e-mail, CPF/CNPJ or "
        "phone, typed as you write them."
    )
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False
    ordering = ("-created_at", "-pk")
    fieldsets = (
        (
            _("Order"),
            {
                "fields": (
                    "vtex_order_id",
                    "sequence",
                    "order_group",
                    "status_display",
                    "origin",
                    "sales_channel",
                    "affiliate_id",
                    "marketplace_order_id",
                    "marketplace_services_endpoint",
                    "seller_order_id",
                )
            },
        ),
        (
            _("Dates"),
            {
                "fields": (
                    "created_at",
                    "authorized_at",
                    "invoiced_at",
                    "vtex_last_change",
                    "imported_at",
                    "synced_at",
                )
            },
        ),
    )
    change_form_template = "admin/orders/order/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        # Whether each order is late (orders.selectors.queues.orders_late), for the list's flag.
        return (
            super()
            .get_queryset(request)
            .annotate(
                is_late=Case(
                    When(orders_late(now=timezone.now()), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
        )

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        fields = list(super().get_search_fields(request))
        if request.user.has_perm("orders.view_customer_pii"):
            return fields
        return [field for field in fields if field.lstrip("=^@") not in PII_SEARCH_FIELDS]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # orders.selectors.search.order_search: exact lookups for ids and documents, names and
        # e-mails by their trigram indexes, not Django's OR of every field for every word.
        found = order_search(
            search_term, personal=request.user.has_perm("orders.view_customer_pii")
        )
        return (queryset if found is None else queryset.filter(found)), False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        context = {**(extra_context or {}), "import_links": import_links(request, "orders")}
        return super().changelist_view(request, context)

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        if not request.user.has_perm("orders.view_customer_pii"):
            # Read in the request's language: the list is built for this request only.
            changelist.search_help_text = gettext(
                "Order id (with or without its -01), sequence or customer name."
            )
        return changelist

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        # The customer column needs the user (masking), which list_display callables do not get.
        def customer(order: Order) -> str:
            return truncated(customer_display(order=order, user=request.user).name, 9, lines=2)

        customer.short_description = _("customer")  # type: ignore[attr-defined]
        customer.admin_order_field = "customer_first_name"  # type: ignore[attr-defined]
        # What an operator reads on one screen (issue 19), with room for a marketplace's
        # longer order ids; the sequence and the origin are on the order page (the search finds
        # a sequence, a filter picks an origin).
        return [
            "vtex_order_id",
            "created_display",
            customer,
            "value_display",
            "status_late_display",
            "last_change_display",
        ]

    @admin.display(description=_("value"), ordering="value")
    def value_display(self, order: Order) -> str:
        return brl(order.value)

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, order: Order) -> str:
        return status_badge(order.status)

    @admin.display(description=_("status"), ordering="status")
    def status_late_display(self, order: Order) -> str:
        """The list's status column: the badge, and under it the flag of a late order
        (orders.selectors.queues.orders_late); one column, so the list fits 1440 px."""
        if not getattr(order, "is_late", False):
            return status_badge(order.status)
        return format_html(
            '{}<br><span class="order-late">{}</span>', status_badge(order.status), _("Late")
        )

    @admin.display(description=_("created at"), ordering="created_at")
    def created_display(self, order: Order) -> str:
        return short_datetime(order.created_at)

    @admin.display(description=_("last change in VTEX"), ordering="vtex_last_change")
    def last_change_display(self, order: Order) -> str:
        return short_datetime(order.vtex_last_change)

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> list[str]:
        return [*(field.name for field in Order._meta.fields), "status_display"]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        """The order page, its operations box included: the order, its items and invoices are
        read once for both."""
        order = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if order is not None:
            related = order_detail_related(order=order)
            commands = subject_commands(subject=order)
            context.update(
                order_page={
                    "order": order,
                    "status_badge": status_badge(order.status),
                    "customer": customer_display(order=order, user=request.user),
                    "money": {
                        "value": brl(order.value),
                        "items": brl(order.items_total),
                        "discounts": brl(order.discounts_total),
                        "shipping": brl(order.shipping_total),
                        "tax": brl(order.tax_total),
                    },
                    "items": [
                        {
                            "item": item,
                            "unit_price": brl(item.unit_price),
                            "list_price": brl(item.list_price),
                            "selling_price": brl(item.selling_price),
                            "total": brl(item.total),
                        }
                        for item in related["items"]
                    ],
                    "invoices": [
                        {"invoice": invoice, "value": brl(invoice.value)}
                        for invoice in related["invoices"]
                    ],
                    "timeline": timeline(events=related["events"], commands=commands),
                },
                order_operations=self._operations_context(
                    request,
                    order,
                    commands=commands,
                    summary=order_invoicing_summary(
                        order=order, items=related["items"], invoices=related["invoices"]
                    ),
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context=context)
