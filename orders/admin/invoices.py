"""The invoices as VTEX has them (the mirror): a read-only list to find, filter and export
them; the invoice imports start from here and from the order list."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_display import short_datetime, truncated
from core.admin_permissions import ReadOnlyAdminMixin
from core.money import brl
from imports.admin import import_links
from orders.admin.orders import MaskedExportMixin
from orders.admin.scale import LIST_AT_SCALE_TEMPLATE, EstimatedCountPaginator
from orders.models import Invoice
from orders.spreadsheets import InvoiceExportResource


class HasTrackingFilter(admin.SimpleListFilter):
    title = _("has tracking number")
    parameter_name = "has_tracking"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
        if self.value() == "yes":
            return queryset.exclude(tracking_number="")
        if self.value() == "no":
            return queryset.filter(tracking_number="")
        return queryset


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, MaskedExportMixin, admin.ModelAdmin):
    resource_classes = (InvoiceExportResource,)
    import_export_change_list_template = LIST_AT_SCALE_TEMPLATE
    paginator = EstimatedCountPaginator
    list_display = (
        "number_display",
        "order_link",
        "type",
        "value_display",
        "issued_display",
        "courier_display",
        "tracking_display",
    )
    list_filter = ("type", ("issued_at", admin.DateFieldListFilter), HasTrackingFilter)
    search_fields = ("=number", "=order__vtex_order_id", "=tracking_number")
    search_help_text = _("Invoice number, order id or tracking number.")
    list_select_related = ("order",)
    list_per_page = 50
    show_full_result_count = False
    ordering = ("-issued_at", "-pk")

    # Long values are cut to the column (the whole value on hover and on the order page).
    @admin.display(description=_("number"), ordering="number")
    def number_display(self, invoice: Invoice) -> str:
        return truncated(invoice.number, 7)

    @admin.display(description=_("issued at"), ordering="issued_at")
    def issued_display(self, invoice: Invoice) -> str:
        return short_datetime(invoice.issued_at)

    @admin.display(description=_("courier"), ordering="courier")
    def courier_display(self, invoice: Invoice) -> str:
        return truncated(invoice.courier, 9, lines=2)

    @admin.display(description=_("tracking number"), ordering="tracking_number")
    def tracking_display(self, invoice: Invoice) -> str:
        return truncated(invoice.tracking_number, 9)

    @admin.display(description=_("order"), ordering="order__vtex_order_id")
    def order_link(self, invoice: Invoice) -> str:
        url = reverse("admin:orders_order_change", args=[invoice.order_id])
        return format_html('<a href="{}">{}</a>', url, invoice.order.vtex_order_id)

    @admin.display(description=_("value"), ordering="value")
    def value_display(self, invoice: Invoice) -> str:
        return brl(invoice.value)

    def get_export_queryset(self, request: HttpRequest) -> Any:
        return super().get_export_queryset(request).select_related("order")

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        context = {**(extra_context or {}), "import_links": import_links(request, "orders")}
        return super().changelist_view(request, context)
