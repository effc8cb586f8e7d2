"""Telling the marketplace that a SKU changed.

A SKU the marketplace binds gets the price and inventory notifications when its price or
stock changes (VTEX: the change notification is not for price and stock), and a change
notification when anything else it shows changes; a SKU it does not bind (yet) gets a change
notification, whose 404 leads to a suggestion (``catalog.services.outbox``). Each call is a
row in the SKU's notification log and a command in the outbox, written in the transaction of
the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from catalog import command_kinds as kinds
from catalog.models import Binding, NotificationKind, Sku, SkuChangeNotification
from core.refusals import ActionRefused
from outbox.enqueue import command_enqueue, command_key
from outbox.models import OPEN_STATES, VtexCommand

COMMAND_KINDS = {
    NotificationKind.CHANGE: kinds.ChangeNotification.kind,
    NotificationKind.PRICE: kinds.PriceNotification.kind,
    NotificationKind.INVENTORY: kinds.InventoryNotification.kind,
}
# What the marketplace reads through the price and the inventory notifications; a change to
# any other field of ``SHOWN_FIELDS`` needs a change notification.
PRICE_FIELDS = frozenset({"price", "list_price"})
INVENTORY_FIELDS = frozenset({"stock", "active"})
SHOWN_FIELDS = frozenset(
    {
        "sku_id",
        "name",
        "product_name",
        "product_id",
        "description",
        "brand",
        "category_path",
        "ean",
        "ref_id",
        "weight_kg",
        "height_cm",
        "width_cm",
        "length_cm",
        "images",
        "specifications",
    }
)


@dataclass(frozen=True)
class NotificationQueued:
    sku: Sku
    notification: SkuChangeNotification
    # False: a notification of this kind was already waiting to go out; it says the same.
    created: bool


def _open_command(*, sku: Sku, kind: str) -> VtexCommand | None:
    return VtexCommand.objects.filter(
        subject_type=ContentType.objects.get_for_model(Sku),
        subject_id=sku.pk,
        kind=kind,
        state__in=OPEN_STATES,
    ).first()


def sku_notify(
    *,
    sku: Sku,
    kind: NotificationKind | str = NotificationKind.CHANGE,
    reason: str = "",
    user: User | None = None,
    source: str,
    after_suggestion: bool = False,
) -> NotificationQueued:
    """Queue one notification of ``sku`` to the marketplace.

    One of the same kind still waiting to go out is enough (the marketplace reads the SKU as
    it is when the notification arrives): it is returned and nothing new is written.
    """
    command_kind = COMMAND_KINDS[NotificationKind(kind)]
    with transaction.atomic():
        waiting = _open_command(sku=sku, kind=command_kind)
        if waiting is not None and not after_suggestion:
            notification = SkuChangeNotification.objects.filter(
                pk=waiting.payload.get("notification_id")
            ).first()
            if notification is not None:
                return NotificationQueued(sku=sku, notification=notification, created=False)
        notification = SkuChangeNotification.objects.create(
            sku=sku, kind=kind, reason=reason[:255], requested_by=user
        )
        command_enqueue(
            subject=sku,
            kind=command_kind,
            key=command_key("sku", sku.sku_id, command_kind, str(notification.pk)),
            payload={
                "seller_id": settings.VTEX_SELLER_ID,
                "sku_id": sku.sku_id,
                "notification_id": notification.pk,
                "after_suggestion": after_suggestion,
            },
            requested_by=user,
            source=source,
        )
    return NotificationQueued(sku=sku, notification=notification, created=True)


def notify_change_refusal(sku: Sku) -> str | None:
    """Why the operator cannot notify a change of the SKU now (None: they can); the SKU page's
    button and the service share it."""
    if not sku.active and sku.binding != Binding.BOUND:
        return _("The SKU is inactive: activate it before offering it to the marketplace.")
    return None


def sku_notify_change(
    *, sku: Sku, user: User | None = None, source: str, reason: str = ""
) -> NotificationQueued:
    """The operator's "notify change": the marketplace reads the SKU again (200) or answers
    that it does not know it (404), which queues a suggestion."""
    refusal = notify_change_refusal(sku)
    if refusal is not None:
        raise ActionRefused(refusal)
    return sku_notify(
        sku=sku, kind=NotificationKind.CHANGE, reason=reason, user=user, source=source
    )


def sku_changes_notify(
    *,
    sku: Sku,
    changed: Iterable[str],
    reason: str = "",
    user: User | None = None,
    source: str,
) -> list[NotificationQueued]:
    """The notifications a change of ``changed`` fields of ``sku`` calls for (see the module)."""
    changed = set(changed)
    queued = []
    if sku.binding == Binding.BOUND:
        if changed & PRICE_FIELDS:
            queued.append(
                sku_notify(
                    sku=sku, kind=NotificationKind.PRICE, reason=reason, user=user, source=source
                )
            )
        if changed & INVENTORY_FIELDS:
            queued.append(
                sku_notify(
                    sku=sku,
                    kind=NotificationKind.INVENTORY,
                    reason=reason,
                    user=user,
                    source=source,
                )
            )
        if changed & SHOWN_FIELDS:
            queued.append(sku_notify(sku=sku, reason=reason, user=user, source=source))
    elif sku.active and changed & (PRICE_FIELDS | INVENTORY_FIELDS | SHOWN_FIELDS):
        # Not bound (or not known yet): the change notification finds out, and its 404 leads
        # to a suggestion, unless the marketplace denied one (then the operator decides).
        queued.append(sku_notify(sku=sku, reason=reason, user=user, source=source))
    return queued
