"""Order changes made through VTEX's Order Modifications API, one row per confirmed change.

A row is written when the operator confirms a previewed change (with the command that sends
it); VTEX's ``requestId``, status and log are copied in as VTEX reports them
(``orders.services.changes``). The order's items and totals are not touched here: the mirror
follows VTEX's order document, which changes only once VTEX says the change is done.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orders.models.order import Order


class ChangeStatus(models.TextChoices):
    # Confirmed here, not yet accepted by VTEX (the command is on its way).
    REQUESTED = "requested", _("Sent to VTEX")
    WAITING_ACKNOWLEDGEMENT = "waiting-acknowledgement", _("Waiting for acknowledgement")
    WAITING_CONFIRMATION = "waiting-confirmation", _("Waiting for confirmation")
    DONE = "done", _("Done")
    ERROR = "error", _("Stopped on error")
    CANCELED = "canceled", pgettext_lazy("order change", "Canceled")
    # VTEX refused to create it (4xx on the create call).
    REJECTED = "rejected", _("Refused by VTEX")


# A change in one of these keeps the order from another change until it ends.
OPEN_CHANGE_STATUSES = frozenset(
    {
        ChangeStatus.REQUESTED,
        ChangeStatus.WAITING_ACKNOWLEDGEMENT,
        ChangeStatus.WAITING_CONFIRMATION,
        ChangeStatus.ERROR,
    }
)


class OrderChange(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="changes", verbose_name=_("order")
    )
    # The change form's one-time token: the command's key, so a double submit sends one.
    request_token = models.CharField(_("form token"), max_length=32, unique=True)
    api = models.CharField(_("VTEX API"), max_length=20, default="modifications")
    vtex_request_id = models.CharField(_("VTEX request id"), max_length=64, blank=True)
    workflow_id = models.CharField(_("VTEX workflow id"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=32, choices=ChangeStatus.choices, default=ChangeStatus.REQUESTED
    )
    reason = models.CharField(_("reason"), max_length=500)
    # What was sent (VTEX's change body), and VTEX's preview the operator confirmed.
    change = models.JSONField(_("change"), default=dict)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    total_change_value = models.BigIntegerField(_("value change (cents)"), default=0)
    # VTEX's log of the change (history ``actions``), and its last message.
    logs = models.JSONField(_("VTEX log"), default=list, blank=True)
    message = models.TextField(_("VTEX message"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_changes",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order change")
        verbose_name_plural = _("order changes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["order", "status"], name="orderchange_order_status_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.vtex_request_id or self.request_token} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CHANGE_STATUSES
