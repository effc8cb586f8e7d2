"""The catalog in the admin: SKUs with their binding at the marketplace, their suggestions and
what was sent about them; the operator's "notify change", "send suggestion" and "check
suggestion" (on the SKU page and as list actions, from the table in ``catalog.operations``
through the admin toolkit's ``core.admin_operations``); shipping rules.

Thin by design: the form's SKU goes to ``sku_save``; each button calls one service and
reports what was queued or why not (``catalog.services``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from catalog.forms import CONFIRM_PRICE_CHANGE, ShippingRuleForm, SkuForm
from catalog.models import (
    Binding,
    ShippingRule,
    Sku,
    SkuChangeNotification,
    SkuSuggestion,
    SuggestionState,
    business_days_display,
)
from catalog.operations import OPERATIONS
from catalog.selectors import (
    LatestSuggestion,
    sku_available,
    sku_history,
    skus_with_latest_suggestion,
)
from catalog.services.skus import sku_save
from catalog.spreadsheets import SkuExportResource
from catalog.suggestion_payload import suggestion_problems
from core.actor import Actor
from core.admin_display import badge, short_datetime, truncated
from core.admin_operations import OperationsAdminMixin, operation_action
from core.admin_permissions import ReadOnlyAdminMixin, admin_user
from core.money import brl
from core.refusals import ActionRefused

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations
from imports.admin import LIST_WITH_IMPORTS_TEMPLATE, import_links
from outbox.reports import queued_report

BINDING_COLOURS = {
    Binding.UNKNOWN: "#6c757d",
    Binding.NOT_BOUND: "#b8860b",
    Binding.SUGGESTED: "#1f6fb2",
    Binding.BOUND: "#2e7d32",
    Binding.DENIED: "#c62828",
}
SUGGESTION_COLOURS = {
    SuggestionState.DRAFT: "#6c757d",
    SuggestionState.SENT: "#1f6fb2",
    SuggestionState.BOUND: "#2e7d32",
    SuggestionState.DENIED: "#c62828",
    SuggestionState.FAILED: "#c62828",
}


def binding_badge(binding: str) -> str:
    member = Binding(binding)
    return badge("sku-binding", binding, member.label, BINDING_COLOURS[member])


def suggestion_badge(state: str | None) -> str:
    if not state:
        return "—"
    member = SuggestionState(state)
    return badge("sku-suggestion", state, member.label, SUGGESTION_COLOURS[member])


class LatestSuggestionFilter(admin.SimpleListFilter):
    title = gettext_lazy("latest suggestion")
    parameter_name = "suggestion"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("none", _("Never suggested")), *SuggestionState.choices]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[WithAnnotations[Sku, LatestSuggestion]]
    ) -> QuerySet[WithAnnotations[Sku, LatestSuggestion]]:
        if self.value() == "none":
            return queryset.filter(latest_suggestion_state__isnull=True)
        if self.value() in SuggestionState.values:
            return queryset.filter(latest_suggestion_state=self.value())
        return queryset


@admin.register(Sku)
class SkuAdmin(OperationsAdminMixin[Sku], ExportMixin, admin.ModelAdmin):
    # The buttons of the SKU page and the list's actions (catalog/operations.py).
    operations = OPERATIONS
    operation_record = "sku"
    operation_refused = ActionRefused
    operation_report = staticmethod(queued_report)
    operation_not_found = gettext_lazy("No SKU with this id.")
    # "Import SKUs" (imports.admin) and Export, in the import's columns: an exported file
    # edited in a spreadsheet imports back.
    form = SkuForm
    resource_classes = (SkuExportResource,)
    formats = (CSV, XLSX)
    import_export_change_list_template = LIST_WITH_IMPORTS_TEMPLATE
    list_display = (
        "sku_id",
        "name_display",
        "price_display",
        "stock",
        "active",
        "binding_display",
        "suggestion_display",
    )
    list_display_links = ("sku_id", "name_display")
    list_filter = ("binding", LatestSuggestionFilter, "active", "brand")
    search_fields = ("=sku_id", "name", "product_name", "=ean", "=ref_id")
    search_help_text = gettext_lazy("SKU id, name, product name, EAN or reference id.")
    list_per_page = 100
    show_full_result_count = False
    ordering = ("sku_id",)
    actions = [operation_action(operation) for operation in OPERATIONS.values()]
    fieldsets = (
        (
            gettext_lazy("SKU"),
            {
                "fields": (
                    "sku_id",
                    "name",
                    "product_name",
                    "product_id",
                    "description",
                    "brand",
                    "category_path",
                    "ean",
                    "ref_id",
                )
            },
        ),
        (
            gettext_lazy("Price and stock"),
            {"fields": ("price", "list_price", CONFIRM_PRICE_CHANGE, "stock", "active")},
        ),
        (
            gettext_lazy("Package"),
            {"fields": ("weight_kg", "height_cm", "width_cm", "length_cm")},
        ),
        (
            gettext_lazy("Images and specifications"),
            {"fields": ("images", "specifications")},
        ),
        (
            gettext_lazy("Marketplace"),
            {"fields": ("binding", "binding_checked_at", "created_at", "updated_at")},
        ),
    )

    def operation_label(self, record: Sku) -> str:
        return record.sku_id

    def get_queryset(self, request: HttpRequest) -> QuerySet[Sku]:
        return skus_with_latest_suggestion(super().get_queryset(request))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        context = {**(extra_context or {}), "import_links": import_links(request, "catalog")}
        return super().changelist_view(request, context)

    def get_readonly_fields(self, request: HttpRequest, obj: Sku | None = None) -> list[str]:
        fields = ["binding", "binding_checked_at", "created_at", "updated_at"]
        # The id is how the marketplace knows the SKU: changing it would orphan the binding.
        return ["sku_id", *fields] if obj is not None else fields

    @admin.display(description=gettext_lazy("SKU name"), ordering="name")
    def name_display(self, sku: Sku) -> str:
        return truncated(sku.name, 10, lines=2)

    @admin.display(description=gettext_lazy("price"), ordering="price")
    def price_display(self, sku: Sku) -> str:
        return brl(sku.price)

    @admin.display(description=gettext_lazy("binding"), ordering="binding")
    def binding_display(self, sku: Sku) -> str:
        return binding_badge(sku.binding)

    @admin.display(description=gettext_lazy("latest suggestion"))
    def suggestion_display(self, sku: Sku) -> str:
        return suggestion_badge(getattr(sku, "latest_suggestion_state", None))

    def save_model(self, request: HttpRequest, obj: Sku, form: Any, change: bool) -> None:
        saved = sku_save(sku=obj, user=admin_user(request), source=Actor.ADMIN)
        for queued in saved.notifications:
            if queued.created:
                messages.info(
                    request,
                    _("%(kind)s notification queued for %(sku)s.")
                    % {"kind": queued.notification.get_kind_display(), "sku": obj.sku_id},
                )

    # --- The SKU page -------------------------------------------------------------------------

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        sku = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if sku is not None:
            history = sku_history(sku=sku)
            context["sku_page"] = {
                "sku": sku,
                "binding": binding_badge(sku.binding),
                "available": sku_available(sku=sku),
                "price": brl(sku.price),
                "list_price": brl(sku.list_price),
                "problems": suggestion_problems(sku),
                "operations": self.operation_buttons(request, sku, situation=None),
                "notifications": history.notifications,
                "suggestions": [
                    {"suggestion": suggestion, "badge": suggestion_badge(suggestion.state)}
                    for suggestion in history.suggestions
                ],
                "commands": history.commands,
                "commands_url": history.commands_url,
            }
        return super().change_view(request, object_id, form_url, extra_context=context)


class SentToMarketplaceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The read-only lists of what was sent about a SKU: their shared columns, cut to fit."""

    @admin.display(description=gettext_lazy("SKU"), ordering="sku__sku_id")
    def sku_display(self, record: SkuSuggestion | SkuChangeNotification) -> str:
        return truncated(record.sku, 10, lines=2)

    @admin.display(description=gettext_lazy("requested by"), ordering="requested_by")
    def requested_by_display(self, record: SkuSuggestion | SkuChangeNotification) -> str:
        return truncated(record.requested_by, 8)

    @admin.display(description=gettext_lazy("created at"), ordering="created_at")
    def created_display(self, record: SkuSuggestion | SkuChangeNotification) -> str:
        return short_datetime(record.created_at)


@admin.register(SkuSuggestion)
class SkuSuggestionAdmin(SentToMarketplaceAdmin):
    list_display = (
        "sku_display",
        "state_display",
        "last_error_display",
        "requested_by_display",
        "created_display",
        "sent_display",
    )
    list_filter = ("state",)
    list_select_related = ("sku", "requested_by")
    search_fields = ("=sku__sku_id",)
    search_help_text = gettext_lazy("SKU id.")
    fields = (
        "sku",
        "state",
        "last_error",
        "requested_by",
        "created_at",
        "sent_at",
        "decided_at",
        "payload_display",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_display(self, suggestion: SkuSuggestion) -> str:
        return suggestion_badge(suggestion.state)

    @admin.display(description=gettext_lazy("last error"))
    def last_error_display(self, suggestion: SkuSuggestion) -> str:
        return truncated(suggestion.last_error, 14, lines=3)

    @admin.display(description=gettext_lazy("sent at"), ordering="sent_at")
    def sent_display(self, suggestion: SkuSuggestion) -> str:
        return short_datetime(suggestion.sent_at)

    @admin.display(description=gettext_lazy("payload sent"))
    def payload_display(self, suggestion: SkuSuggestion) -> str:
        return format_html(
            "<pre style='white-space:pre-wrap'>{}</pre>",
            json.dumps(suggestion.payload, indent=2, ensure_ascii=False),
        )


@admin.register(SkuChangeNotification)
class SkuChangeNotificationAdmin(SentToMarketplaceAdmin):
    list_display = (
        "sku_display",
        "kind",
        "reason_display",
        "outcome",
        "detail_display",
        "requested_by_display",
        "created_display",
    )
    list_filter = ("kind", "outcome")
    list_select_related = ("sku", "requested_by")
    search_fields = ("=sku__sku_id",)
    search_help_text = gettext_lazy("SKU id.")
    readonly_fields = (
        "sku",
        "kind",
        "reason",
        "outcome",
        "detail",
        "requested_by",
        "created_at",
        "answered_at",
    )
    fields = readonly_fields

    @admin.display(description=gettext_lazy("reason"))
    def reason_display(self, notification: SkuChangeNotification) -> str:
        return truncated(notification.reason, 9, lines=3)

    @admin.display(description=gettext_lazy("marketplace's answer"))
    def detail_display(self, notification: SkuChangeNotification) -> str:
        return truncated(notification.detail, 11, lines=3)


@admin.register(ShippingRule)
class ShippingRuleAdmin(admin.ModelAdmin):
    form = ShippingRuleForm
    list_display = (
        "name",
        "delivery_channel",
        "postal_codes",
        "price_display",
        "estimate_display",
        "active",
    )
    list_filter = ("name", "delivery_channel", "is_default", "active")
    ordering = ("name", "is_default", "postal_code_from")
    fields = (
        "name",
        "delivery_channel",
        "is_default",
        "postal_code_from",
        "postal_code_to",
        "price",
        "shipping_estimate",
        "active",
    )

    @admin.display(description=gettext_lazy("postal codes"), ordering="postal_code_from")
    def postal_codes(self, rule: ShippingRule) -> str:
        if rule.is_default:
            return _("Every other CEP")
        return _("%(from)s to %(to)s") % {
            "from": f"{rule.postal_code_from[:5]}-{rule.postal_code_from[5:]}",
            "to": f"{rule.postal_code_to[:5]}-{rule.postal_code_to[5:]}",
        }

    @admin.display(description=gettext_lazy("price"), ordering="price")
    def price_display(self, rule: ShippingRule) -> str:
        return brl(rule.price)

    def get_fields(self, request: HttpRequest, obj: ShippingRule | None = None) -> Any:
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Read only: the estimate in words, as the list shows it.
            return ["estimate_display" if name == "shipping_estimate" else name for name in fields]
        return fields

    @admin.display(description=gettext_lazy("estimate"))
    def estimate_display(self, rule: ShippingRule) -> str:
        return business_days_display(rule.shipping_estimate)
