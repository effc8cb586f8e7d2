"""Writing a SKU: the row and the notifications its change calls for, in one transaction
(the admin's form today; the SKU import calls the same service)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Sku
from catalog.services.notifications import (
    INVENTORY_FIELDS,
    PRICE_FIELDS,
    SHOWN_FIELDS,
    NotificationQueued,
    sku_changes_notify,
)
from core.fields import model_field
from core.money import brl

WATCHED_FIELDS = PRICE_FIELDS | INVENTORY_FIELDS | SHOWN_FIELDS
# The reason shows amounts in reais: the fields' names without their "(cents)".
AMOUNT_LABELS = {"price": gettext_lazy("price"), "list_price": gettext_lazy("list price")}


@dataclass(frozen=True)
class SkuSaved:
    sku: Sku
    created: bool
    changed: list[str]
    notifications: list[NotificationQueued] = field(default_factory=list)


def _shown(name: str, value: object) -> str:
    if name in PRICE_FIELDS:
        return brl(value)  # type: ignore[arg-type]
    return str(value)


def sku_change_reason(*, before: Sku | None, after: Sku, changed: list[str]) -> str:
    """What changed, for the notification log ("price R$ 49,90 → R$ 39,90; stock 4 → 0")."""
    if before is None:
        return _("SKU created")
    parts = []
    for name in changed:
        label = str(AMOUNT_LABELS.get(name) or model_field(Sku, name).verbose_name)
        if name in PRICE_FIELDS or name == "stock":
            old, new = _shown(name, getattr(before, name)), _shown(name, getattr(after, name))
            parts.append(f"{label} {old} → {new}")
        else:
            parts.append(label)
    return "; ".join(parts)


def sku_price_jumps(*, before: Sku | None, after: Sku) -> list[str]:
    """The price and list price of ``after`` that moved by more than
    ``CATALOG_PRICE_CHANGE_CONFIRM_SHARE`` of their value in ``before``, in words ("price
    R$ 549,90 → R$ 55,00"): an operator confirms such a change before it is saved and sent
    to the marketplace (a typo's zero too many or too few). A first price (from 0) is no jump.
    """
    share = settings.CATALOG_PRICE_CHANGE_CONFIRM_SHARE
    if before is None:
        return []
    jumps = []
    for name in sorted(PRICE_FIELDS):
        old, new = getattr(before, name), getattr(after, name)
        if old and new is not None and abs(new - old) > share * old:
            jumps.append(f"{AMOUNT_LABELS[name]} {brl(old)} → {brl(new)}")
    return jumps


def sku_save(*, sku: Sku, user: User | None = None, source: str) -> SkuSaved:
    """Save ``sku`` (new or changed) and queue what its change calls for: a new SKU or one
    the marketplace does not bind gets a change notification, a bound SKU the price and
    inventory notifications (``catalog.services.notifications``)."""
    with transaction.atomic():
        before = Sku.objects.select_for_update().filter(pk=sku.pk).first() if sku.pk else None
        if before is not None:
            # The binding is the marketplace's answer, never the form's.
            sku.binding, sku.binding_checked_at = before.binding, before.binding_checked_at
        changed = sorted(
            name
            for name in WATCHED_FIELDS
            if before is None or getattr(before, name) != getattr(sku, name)
        )
        sku.save()
        notifications = sku_changes_notify(
            sku=sku,
            changed=changed,
            reason=sku_change_reason(before=before, after=sku, changed=changed),
            user=user,
            source=source,
        )
    return SkuSaved(sku=sku, created=before is None, changed=changed, notifications=notifications)
