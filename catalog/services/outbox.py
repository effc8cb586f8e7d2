"""What the catalog does when the outbox settles a SKU's commands: the notification log and
the suggestions take VTEX's answer, and the SKU's binding follows it. Registered with the
outbox in ``CatalogConfig.ready``; runs inside the transaction that records the batch.

- change notification: 200 binds the SKU (and settles a suggestion waiting for a decision as
  approved); 404 queues a suggestion, or, when it was sent to learn the fate of a suggestion
  VTEX no longer holds, marks that suggestion denied;
- suggestion: sent (the SKU waits for the marketplace) or failed with VTEX's words;
- suggestion check: still pending, or gone (decided): a change notification tells which.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import command_kinds as kinds
from catalog.models import (
    Binding,
    NotificationKind,
    NotificationOutcome,
    Sku,
    SkuChangeNotification,
    SkuSuggestion,
    SuggestionState,
)
from catalog.services.notifications import sku_notify
from catalog.services.suggestions import suggestion_after_not_found
from orders.models import Actor
from outbox.models import CommandState, VtexCommand
from outbox.registry import Settled, Subject
from vtex import VtexClient

NOTIFICATION_KINDS = {
    kinds.ChangeNotification.kind,
    kinds.PriceNotification.kind,
    kinds.InventoryNotification.kind,
}


def _error(command: VtexCommand) -> str:
    return f"{command.last_error_code}: {command.last_error_message}".strip(": ")


def _decide_sent(sku: Sku, state: SuggestionState, now) -> None:
    SkuSuggestion.objects.filter(sku=sku, state=SuggestionState.SENT).update(
        state=state, decided_at=now
    )


def _notification_settled(sku: Sku, command: VtexCommand, answer: object, now) -> None:
    payload = command.payload
    notification = SkuChangeNotification.objects.filter(pk=payload.get("notification_id")).first()
    if notification is None:
        return
    notification.answered_at = now
    if command.state != CommandState.SUCCEEDED:
        notification.outcome = NotificationOutcome.FAILED
        notification.detail = _error(command)
    elif notification.kind != NotificationKind.CHANGE:
        notification.outcome = NotificationOutcome.ACCEPTED
    elif answer is True:
        notification.outcome = NotificationOutcome.BOUND
        sku.binding = Binding.BOUND
        _decide_sent(sku, SuggestionState.BOUND, now)
    else:
        notification.outcome = NotificationOutcome.NOT_BOUND
        if (
            payload.get("after_suggestion")
            and SkuSuggestion.objects.filter(sku=sku, state=SuggestionState.SENT).exists()
        ):
            notification.detail = _("The marketplace denied the suggestion.")
            sku.binding = Binding.DENIED
            _decide_sent(sku, SuggestionState.DENIED, now)
        elif sku.binding != Binding.DENIED:
            suggestion = suggestion_after_not_found(sku=sku, source=Actor.OUTBOX)
            if suggestion is not None and suggestion.state == SuggestionState.FAILED:
                notification.detail = suggestion.last_error
                sku.binding = Binding.NOT_BOUND
            elif suggestion is not None and suggestion.state == SuggestionState.SENT:
                sku.binding = Binding.SUGGESTED
            else:
                sku.binding = Binding.NOT_BOUND
    if notification.kind == NotificationKind.CHANGE and command.state == CommandState.SUCCEEDED:
        sku.binding_checked_at = now
    notification.save(update_fields=["outcome", "detail", "answered_at"])


def _suggestion_settled(sku: Sku, command: VtexCommand, now) -> None:
    suggestion = SkuSuggestion.objects.filter(pk=command.payload.get("suggestion_id")).first()
    if suggestion is None:
        return
    if command.state == CommandState.SUCCEEDED:
        suggestion.state = SuggestionState.SENT
        suggestion.sent_at = now
        suggestion.last_error = ""
        sku.binding = Binding.SUGGESTED
    else:
        suggestion.state = SuggestionState.FAILED
        suggestion.last_error = _error(command)
        suggestion.decided_at = now
    suggestion.save(update_fields=["state", "sent_at", "last_error", "decided_at"])


def _check_settled(sku: Sku, command: VtexCommand, answer: object) -> None:
    if command.state != CommandState.SUCCEEDED or answer is not None:
        return  # still pending (or the read failed: the command shows why)
    if SkuSuggestion.objects.filter(sku=sku, state=SuggestionState.SENT).exists():
        sku_notify(
            sku=sku,
            kind=NotificationKind.CHANGE,
            reason=_("The marketplace decided the suggestion."),
            source=Actor.OUTBOX,
            after_suggestion=True,
        )


class SkuSubject(Subject):
    model = Sku

    def settled(self, settled: Sequence[Settled], *, client: VtexClient) -> None:
        now = timezone.now()
        locked = Sku.objects.select_for_update().in_bulk(
            sorted({entry.command.subject_id for entry in settled})
        )
        for entry in sorted(settled, key=lambda entry: entry.command.pk):
            command = entry.command
            sku = locked.get(command.subject_id)
            if sku is None:
                continue
            if command.kind in NOTIFICATION_KINDS:
                _notification_settled(sku, command, entry.result.answer, now)
            elif command.kind == kinds.Suggestion.kind:
                _suggestion_settled(sku, command, now)
            elif command.kind == kinds.SuggestionCheck.kind:
                _check_settled(sku, command, entry.result.answer)
        for sku in locked.values():
            # updated_at stays: it tells when the SKU's data changed, not its binding.
            sku.save(update_fields=["binding", "binding_checked_at"])

    def operator_acted(
        self, command: VtexCommand, *, user: AbstractBaseUser, action: str, details: dict
    ) -> None:
        """A command resolved by hand will not be sent: its notification or suggestion
        stops waiting."""
        if action != "command-resolved":
            return
        note = _("Resolved by hand by %(user)s.") % {"user": user.get_username()}
        if command.kind in NOTIFICATION_KINDS:
            SkuChangeNotification.objects.filter(
                pk=command.payload.get("notification_id"), outcome=NotificationOutcome.PENDING
            ).update(outcome=NotificationOutcome.FAILED, detail=note, answered_at=timezone.now())
        elif command.kind == kinds.Suggestion.kind:
            SkuSuggestion.objects.filter(
                pk=command.payload.get("suggestion_id"), state=SuggestionState.DRAFT
            ).update(state=SuggestionState.FAILED, last_error=note, decided_at=timezone.now())
