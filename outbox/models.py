"""The outbox's records: each command to VTEX, each attempt to deliver it, and the 429 pauses.

A command belongs to a subject (an order, a SKU: any model, through the content types
framework); commands of one subject go out one at a time, oldest first. Its ``kind`` names
the registered command type (``outbox.registry``) that knows the VTEX call behind it. Its
``state`` is moved only through ``outbox.states``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from outbox.choices import kind_choices, source_choices


class CommandTarget(models.TextChoices):
    STORE = "store", _("Store (OMS)")
    MARKETPLACE = "marketplace", _("Marketplace services endpoint")


class CommandState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SUCCEEDED = "succeeded", _("Succeeded")
    REJECTED = "rejected", _("Rejected by VTEX")
    RETRYING = "retrying", _("Retrying")
    DEAD = "dead", _("Gave up")


# States in which a command still has to go out; a later command of its subject waits for them.
OPEN_STATES = (CommandState.PENDING, CommandState.SENDING, CommandState.RETRYING)
# States the delivery may pick up.
DUE_STATES = (CommandState.PENDING, CommandState.RETRYING)


class VtexCommand(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=kind_choices)
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("subject type"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    subject = GenericForeignKey("subject_type", "subject_id")
    target = models.CharField(
        _("target"), max_length=16, choices=CommandTarget.choices, default=CommandTarget.STORE
    )
    target_endpoint = models.URLField(
        _("target endpoint"),
        max_length=500,
        blank=True,
        help_text=_("The marketplace services endpoint, when the target is a marketplace."),
    )
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    key = models.CharField(
        _("key"),
        max_length=255,
        help_text=_("Deterministic: the same request made twice is the same command."),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=CommandState.choices, default=CommandState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Attempts that may have reached VTEX and failed (5xx, timeout): these count towards
    # giving up, attempts that never left (connection refused) do not.
    failures = models.PositiveIntegerField(_("failures"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    enqueued_at = models.DateTimeField(
        _("handed to the broker at"),
        null=True,
        blank=True,
        help_text=_("Set when a delivery task is queued, cleared when an attempt ends."),
    )
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    needs_verification = models.BooleanField(
        _("needs verification"),
        default=False,
        help_text=_(
            "The last attempt may have taken effect in VTEX (timeout, 5xx): "
            "VTEX is read again before sending again."
        ),
    )
    last_error_code = models.CharField(_("last error code"), max_length=64, blank=True)
    last_error_message = models.TextField(_("last error message"), blank=True)
    receipt = models.CharField(_("receipt"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=source_choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("VTEX command")
        verbose_name_plural = _("VTEX commands")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="outbox_vtexcommand_key_unique"),
            models.CheckConstraint(
                condition=~models.Q(target="marketplace") | ~models.Q(target_endpoint=""),
                name="outbox_vtexcommand_marketplace_has_endpoint",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_cmd_due_idx"),
            # The claim walks due commands oldest first: without this, each claim reads past
            # every command ever settled before the first due one.
            models.Index(
                fields=["id"],
                condition=models.Q(state__in=DUE_STATES),
                name="outbox_cmd_due_first_idx",
            ),
            models.Index(
                fields=["subject_type", "subject_id", "state"], name="outbox_cmd_subject_idx"
            ),
        ]
        permissions = [
            ("retry_vtexcommand", _("Can retry a VTEX command now")),
            ("resolve_vtexcommand", _("Can mark a VTEX command resolved")),
        ]

    def __str__(self) -> str:
        return self.key


class CommandAttempt(models.Model):
    command = models.ForeignKey(
        VtexCommand,
        verbose_name=_("command"),
        on_delete=models.CASCADE,
        related_name="attempt_log",
    )
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=500)
    request_body = models.JSONField(_("request body"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=32)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    attempted_at = models.DateTimeField(_("attempted at"), auto_now_add=True)
    task_id = models.CharField(_("task id"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("command attempt")
        verbose_name_plural = _("command attempts")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.response_status or self.outcome}"


class DeliveryPause(models.Model):
    """VTEX answered 429: no command to this target goes out before ``until`` (all workers)."""

    target = models.CharField(_("target"), max_length=500, primary_key=True)
    until = models.DateTimeField(_("until"))

    class Meta:
        verbose_name = _("delivery pause")
        verbose_name_plural = _("delivery pauses")

    def __str__(self) -> str:
        return f"{self.target} until {self.until:%Y-%m-%d %H:%M:%S}"
