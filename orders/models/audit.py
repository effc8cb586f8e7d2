"""The audit trail of orders: one row per thing that happened to an order.

Rows are written only through `orders.services.audit.event_record`, in the
same transaction as the change they describe, and never updated or deleted
(the admin refuses both, superusers included).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.actor import Actor
from orders.models.order import Order


class EventType(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ACTION_REQUESTED = "action_requested", _("Action requested")
    COMMAND_SENT = "command_sent", _("Command sent")
    COMMAND_REJECTED = "command_rejected", _("Command rejected")
    NOTE = "note", _("Note")
    # Order changes (Order Modifications API): the operator confirmed VTEX's preview; VTEX
    # accepted the change (its requestId); it is done, stopped on error, retried, canceled.
    CHANGE_CONFIRMED = "change_confirmed", _("Order change confirmed")
    CHANGE_REQUESTED = "change_requested", _("Order change accepted by VTEX")
    CHANGE_DONE = "change_done", _("Order change done")
    CHANGE_STOPPED = "change_stopped", _("Order change stopped on error")
    CHANGE_RETRIED = "change_retried", _("Order change retried")
    CHANGE_CANCELED = "change_canceled", _("Order change canceled")


# The audit payload keys naming the import batch (imports.ImportBatch) and the file a request
# came from: the file imports write them in their requests' rows, the order's timeline shows
# the file (orders.admin.timeline).
IMPORT_BATCH_KEY = "import_batch"
CSV_FILE_KEY = "csv_file"


class OrderEvent(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="events", verbose_name=_("order")
    )
    type = models.CharField(_("type"), max_length=32, choices=EventType.choices)
    from_status = models.CharField(_("from status"), max_length=64, blank=True)
    to_status = models.CharField(_("to status"), max_length=64, blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_events",
        verbose_name=_("user"),
    )
    source = models.CharField(_("source"), max_length=20, choices=Actor.choices)
    receipt = models.CharField(_("VTEX receipt"), max_length=200, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["order", "created_at"], name="orderevent_order_time_idx"),
            models.Index(fields=["type", "created_at"], name="orderevent_type_time_idx"),
        ]
        constraints = [
            # The database, not only the code, guarantees one "imported" row per order,
            # so concurrent drains cannot both record the first import.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(type="imported"),
                name="orderevent_one_imported_per_order",
            ),
            models.CheckConstraint(
                condition=~Q(type="status_changed") | ~Q(to_status=""),
                name="orderevent_status_change_has_target",
            ),
        ]

    def __str__(self) -> str:
        # The event page's title: local time (TIME_ZONE, São Paulo), as the timeline shows it.
        moment = formats.date_format(timezone.localtime(self.created_at), "SHORT_DATETIME_FORMAT")
        return f"{self.order} · {self.get_type_display()} · {moment}"

    @property
    def actor_display(self) -> str:
        user = self.actor_user
        if user is not None:
            return user.get_username()
        return self.get_source_display()
