"""The catalog's commands to VTEX: one class per kind, registered with the outbox.

Each is one call to the marketplace about one SKU: a change notification (200: the
marketplace binds the SKU and will read it again; 404: it does not know it, a suggestion is
needed), the price and inventory notifications of a bound SKU, a suggestion (PUT on the
Suggestions API) and the read of a pending suggestion. Every one of them repeats harmlessly
(a notification asks the marketplace to read the SKU again, a suggestion's PUT replaces the
pending one), so none needs VTEX read before a resend. What the catalog does once they
settle is ``catalog.services.outbox.SkuSubject``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from outbox.models import VtexCommand
from outbox.registry import CommandType
from vtex import VtexClient


class SkuCommand(CommandType):
    """A command whose subject is a SKU."""

    verify_before_resend = False


@dataclass(frozen=True)
class NotificationPayload:
    seller_id: str
    sku_id: str
    # The SkuChangeNotification row that logs this call and its answer.
    notification_id: int
    # Sent to learn how the marketplace decided a suggestion that is no longer pending: a 404
    # then means "denied", not "send a suggestion".
    after_suggestion: bool = False


class ChangeNotification(SkuCommand):
    kind = "sku-change-notification"
    label = _("SKU change notification")
    payload_class = NotificationPayload

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        # True: 200, the SKU is bound; False: 404, the marketplace does not know it.
        payload: NotificationPayload = self.payload(command)
        return client.notify_sku_change(seller_id=payload.seller_id, sku_id=payload.sku_id)


class PriceNotification(SkuCommand):
    kind = "sku-price-notification"
    label = _("SKU price notification")
    payload_class = NotificationPayload

    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        payload: NotificationPayload = self.payload(command)
        return client.notify_price_change(seller_id=payload.seller_id, sku_id=payload.sku_id)


class InventoryNotification(SkuCommand):
    kind = "sku-inventory-notification"
    label = _("SKU inventory notification")
    payload_class = NotificationPayload

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


COMMAND_TYPES = (
    ChangeNotification,
    PriceNotification,
    InventoryNotification,
    Suggestion,
    SuggestionCheck,
)
