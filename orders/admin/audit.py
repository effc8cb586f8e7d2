"""The audit list: read-only for everyone, superusers included (no add, change or delete)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_display import short_datetime, truncated
from core.admin_permissions import ReadOnlyAdminMixin
from orders.admin.timeline import TimelineLine, timeline
from orders.models import OrderEvent
from orders.status import status_label
from outbox.models import VtexCommand
from outbox.selectors import subject_commands


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_display",
        "order_link",
        "type",
        "from_display",
        "to_display",
        "actor",
        "receipt_display",
    )
    list_filter = (
        "type",
        "source",
        ("actor_user", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    )
    list_select_related = ("order", "actor_user")
    search_fields = ("=order__vtex_order_id", "=order__sequence", "receipt")
    search_help_text = _("Order id, sequence or VTEX receipt.")
    date_hierarchy = "created_at"
    show_full_result_count = False
    ordering = ("-created_at", "-pk")
    fields = (
        "created_at",
        "order",
        "what",
        "who",
        "answer",
        "type",
        "from_status",
        "to_status",
        "actor_user",
        "source",
        "receipt",
        "payload",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderEvent]:
        # A row the outbox wrote (a command accepted or refused) names the operator who asked
        # for the command: one subquery on the command's unique key, no query per row.
        requester = VtexCommand.objects.filter(
            key=KeyTextTransform("command", OuterRef("payload"))
        ).values("requested_by__username")[:1]
        return (
            super()
            .get_queryset(request)
            .select_related("order", "actor_user")
            .annotate(command_requester=Subquery(requester))
        )

    def _line(self, event: OrderEvent) -> TimelineLine:
        """The event as the order's timeline says it (read once per page)."""
        line = getattr(event, "_timeline_line", None)
        if line is None:
            events = list(
                OrderEvent.objects.filter(order_id=event.order_id)
                .select_related("actor_user")
                .order_by("created_at", "pk")
            )
            lines = timeline(events=events, commands=subject_commands(subject=event.order))
            line = next(line for line in lines if line.event.pk == event.pk)
            # Memo on the instance the page's fields share (read back by getattr above): not a
            # model attribute, so set by name.
            setattr(event, "_timeline_line", line)  # noqa: B010
        return line

    @admin.display(description=_("what happened"))
    def what(self, event: OrderEvent) -> str:
        line = self._line(event)
        if line.csv_file:
            return _("%(what)s (CSV file %(file)s)") % {"what": line.what, "file": line.csv_file}
        return line.what

    @admin.display(description=_("asked by"))
    def who(self, event: OrderEvent) -> str:
        return self._line(event).who

    @admin.display(description=_("VTEX's answer"))
    def answer(self, event: OrderEvent) -> str:
        return self._line(event).answer or "—"

    @admin.display(description=_("order"), ordering="order__vtex_order_id")
    def order_link(self, event: OrderEvent) -> str:
        url = reverse("admin:orders_order_change", args=[event.order_id])
        return format_html('<a href="{}">{}</a>', url, event.order.vtex_order_id)

    @admin.display(description=_("time"), ordering="created_at")
    def created_display(self, event: OrderEvent) -> str:
        return short_datetime(event.created_at)

    @admin.display(description=_("VTEX receipt"), ordering="receipt")
    def receipt_display(self, event: OrderEvent) -> str:
        return truncated(event.receipt, 6)

    @admin.display(description=_("from status"))
    def from_display(self, event: OrderEvent) -> str:
        return status_label(event.from_status) if event.from_status else ""

    @admin.display(description=_("to status"))
    def to_display(self, event: OrderEvent) -> str:
        return status_label(event.to_status) if event.to_status else ""

    @admin.display(description=_("actor"))
    def actor(self, event: OrderEvent) -> str:
        return truncated(getattr(event, "command_requester", None) or event.actor_display, 8)
