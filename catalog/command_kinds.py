"""The catalog's commands to VTEX: one class per kind, registered with the outbox.

Each is one call to the marketplace about one SKU: a change notification (200: the
marketplace binds the SKU and will read it again; 404: it does not know it, a suggestion is
needed), the price and inventory notifications of a bound SKU, a suggestion (PUT on the
Suggestions API) and the read of a pending suggestion. Every one of them repeats harmlessly
(a notification asks the marketplace to read the SKU again, a suggestion's PUT replaces the
pending one), so none needs VTEX read before a resend.

Each class also owns what its answer does (``settled``), run by
``catalog.services.outbox.SkuSubject`` with the SKU locked, and what resolving it by hand
stops (``resolved_by_hand``):

- change notification: 200 binds the SKU (and settles a suggestion waiting for a decision as
  approved); 404 queues a suggestion, or, when it was sent to learn the fate of a suggestion
  VTEX no longer holds, marks that suggestion denied;
- price and inventory notifications: accepted or failed;
- suggestion: sent (the SKU waits for the marketplace) or failed with VTEX's words;
- suggestion check: still pending, or gone (decided): a change notification tells which.

What a settled command queues next (a suggestion, a notification) goes through
``FollowUps``: the services that queue them import these classes, so this module cannot
import them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    Binding,
    NotificationKind,
    NotificationOutcome,
    Sku,
    SkuChangeNotification,
    SkuSuggestion,
    SuggestionState,
)
from outbox.models import CommandState, VtexCommand
from outbox.registry import CommandType, Settled
from vtex import VtexClient


class FollowUps(Protocol):
    """What a settled SKU command may queue next (``catalog.services.outbox`` provides it)."""

    def suggestion_after_not_found(self, sku: Sku) -> SkuSuggestion | None:
        """The marketplace does not know the SKU: queue its suggestion (None: none queued)."""

    def decided_suggestion_notify(self, sku: Sku) -> None:
        """The marketplace decided the SKU's suggestion: a change notification tells how."""


class SkuCommand(CommandType):
    """A command whose subject is a SKU."""

    verify_before_resend = False

    def settled(self, sku: Sku, entry: Settled, *, now: datetime, follow_ups: FollowUps) -> None:
        """The command settled: the (locked) SKU's binding follows VTEX's answer (saved by
        the caller), and so do the rows that wait for it."""
        return None


def _error(command: VtexCommand) -> str:
    return f"{command.last_error_code}: {command.last_error_message}".strip(": ")


def _resolved_note(user: User) -> str:
    return gettext("Resolved by hand by %(user)s.") % {"user": user.get_username()}


def _sent_suggestion_decide(sku: Sku, state: SuggestionState, now: datetime) -> None:
    SkuSuggestion.objects.filter(sku=sku, state=SuggestionState.SENT).update(
        state=state, decided_at=now
    )


@dataclass(frozen=True)
class NotificationPayload:
    seller_id: str
    sku_id: str
    # The SkuChangeNotification row that logs this call and its answer.
    notification_id: int
    # Sent to learn how the marketplace decided a suggestion that is no longer pending: a 404
    # then means "denied", not "send a suggestion".
    after_suggestion: bool = False


class NotificationCommand(SkuCommand):
    """A notification about a SKU; its ``SkuChangeNotification`` row logs the answer."""

    payload_class = NotificationPayload

    def settled(self, sku: Sku, entry: Settled, *, now: datetime, follow_ups: FollowUps) -> None:
        command = entry.command
        payload: NotificationPayload = self.payload(command)
        notification = SkuChangeNotification.objects.filter(pk=payload.notification_id).first()
        if notification is None:
            return
        notification.answered_at = now
        if command.state != CommandState.SUCCEEDED:
            notification.outcome = NotificationOutcome.FAILED
            notification.detail = _error(command)
        elif notification.kind != NotificationKind.CHANGE:
            notification.outcome = NotificationOutcome.ACCEPTED
        elif entry.result.answer is True:
            notification.outcome = NotificationOutcome.BOUND
            sku.binding = Binding.BOUND
            _sent_suggestion_decide(sku, SuggestionState.BOUND, now)
        else:
            notification.outcome = NotificationOutcome.NOT_BOUND
            if (
                payload.after_suggestion
                and SkuSuggestion.objects.filter(sku=sku, state=SuggestionState.SENT).exists()
            ):
                notification.detail = gettext("The marketplace denied the suggestion.")
                sku.binding = Binding.DENIED
                _sent_suggestion_decide(sku, SuggestionState.DENIED, now)
            elif sku.binding != Binding.DENIED:
                suggestion = follow_ups.suggestion_after_not_found(sku)
                if suggestion is not None and suggestion.state == SuggestionState.FAILED:
                    notification.detail = suggestion.last_error
                    sku.binding = Binding.NOT_BOUND
                elif suggestion is not None and suggestion.state == SuggestionState.SENT:
                    sku.binding = Binding.SUGGESTED
                else:
                    sku.binding = Binding.NOT_BOUND
        if (
            notification.kind == NotificationKind.CHANGE
            and command.state == CommandState.SUCCEEDED
        ):
            sku.binding_checked_at = now
        notification.save(update_fields=["outcome", "detail", "answered_at"])

    def resolved_by_hand(self, command: VtexCommand, *, user: User, note: str) -> None:
        SkuChangeNotification.objects.filter(
            pk=self.payload(command).notification_id, outcome=NotificationOutcome.PENDING
        ).update(
            outcome=NotificationOutcome.FAILED,
            detail=_resolved_note(user),
            answered_at=timezone.now(),
        )


class ChangeNotification(NotificationCommand):
    kind = "sku-change-notification"
    label = _("SKU change notification")

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        # True: 200, the SKU is bound; False: 404, the marketplace does not know it.
        payload: NotificationPayload = self.payload(command)
        return client.notify_sku_change(seller_id=payload.seller_id, sku_id=payload.sku_id)


class PriceNotification(NotificationCommand):
    kind = "sku-price-notification"
    label = _("SKU price notification")

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        payload: NotificationPayload = self.payload(command)
        return client.notify_price_change(seller_id=payload.seller_id, sku_id=payload.sku_id)


class InventoryNotification(NotificationCommand):
    kind = "sku-inventory-notification"
    label = _("SKU inventory notification")

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        payload: NotificationPayload = self.payload(command)
        return client.notify_inventory_change(seller_id=payload.seller_id, sku_id=payload.sku_id)


@dataclass(frozen=True)
class SuggestionPayload:
    seller_id: str
    sku_id: str
    suggestion_id: int
    suggestion: dict[str, Any]


class Suggestion(SkuCommand):
    kind = "sku-suggestion"
    label = _("SKU suggestion")
    payload_class = SuggestionPayload

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        payload: SuggestionPayload = self.payload(command)
        return client.send_sku_suggestion(
            seller_id=payload.seller_id,
            seller_sku_id=payload.sku_id,
            suggestion=payload.suggestion,
        )

    def settled(self, sku: Sku, entry: Settled, *, now: datetime, follow_ups: FollowUps) -> None:
        command = entry.command
        payload: SuggestionPayload = self.payload(command)
        suggestion = SkuSuggestion.objects.filter(pk=payload.suggestion_id).first()
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

    def resolved_by_hand(self, command: VtexCommand, *, user: User, note: str) -> None:
        SkuSuggestion.objects.filter(
            pk=self.payload(command).suggestion_id, state=SuggestionState.DRAFT
        ).update(
            state=SuggestionState.FAILED, last_error=_resolved_note(user), decided_at=timezone.now()
        )


@dataclass(frozen=True)
class SuggestionCheckPayload:
    seller_id: str
    sku_id: str
    suggestion_id: int


class SuggestionCheck(SkuCommand):
    """Read a suggestion the marketplace has not decided yet (a read: repeats harmlessly)."""

    kind = "sku-suggestion-check"
    label = _("SKU suggestion check")
    payload_class = SuggestionCheckPayload

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        # The pending suggestion, or None once the marketplace approved or denied it.
        payload: SuggestionCheckPayload = self.payload(command)
        return client.get_sku_suggestion(seller_id=payload.seller_id, seller_sku_id=payload.sku_id)

    def settled(self, sku: Sku, entry: Settled, *, now: datetime, follow_ups: FollowUps) -> None:
        if entry.command.state != CommandState.SUCCEEDED or entry.result.answer is not None:
            return  # still pending (or the read failed: the command shows why)
        if SkuSuggestion.objects.filter(sku=sku, state=SuggestionState.SENT).exists():
            follow_ups.decided_suggestion_notify(sku)


COMMAND_TYPES = (
    ChangeNotification,
    PriceNotification,
    InventoryNotification,
    Suggestion,
    SuggestionCheck,
)
