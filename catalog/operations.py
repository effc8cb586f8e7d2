"""The operator operations on SKUs, declared once: "notify change", "send suggestion" and
"check suggestion", as buttons on the SKU page and actions on the list.

Each entry (``core.admin_operations.Operation``) says what the operation is called, who may
run it, the rule that says whether the SKU allows it now (the one its service applies) and the
service; the admin builds its URLs, buttons, view and list actions from this table, as it does
for orders (``orders/operations/table.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Sku, SkuSuggestion
from catalog.selectors import sku_latest_suggestion
from catalog.services.notifications import (
    NotificationQueued,
    notify_change_refusal,
    sku_notify_change,
)
from catalog.services.suggestions import (
    SuggestionQueued,
    suggestion_check,
    suggestion_check_refusal,
    suggestion_refusal,
    suggestion_send,
)
from core.actor import Actor
from core.admin_operations import Operation

NOTIFY = ("catalog.notify_sku_change",)
SUGGEST = ("catalog.send_sku_suggestion",)


@dataclass(frozen=True)
class CheckQueued:
    suggestion: SkuSuggestion
    # False: a check of this suggestion was already waiting to go out.
    created: bool


# The services as an operator's button calls them (the rules read nothing beyond the SKU).


def notify_change(*, sku: Sku, user: User | None) -> NotificationQueued:
    return sku_notify_change(
        sku=sku, user=user, source=Actor.ADMIN, reason=_("Requested by an operator")
    )


def send_suggestion(*, sku: Sku, user: User | None) -> SuggestionQueued:
    return suggestion_send(sku=sku, user=user, source=Actor.ADMIN)


def check_suggestion(*, sku: Sku, user: User | None) -> CheckQueued:
    return CheckQueued(*suggestion_check(sku=sku, user=user, source=Actor.ADMIN))


def notify_refused(sku: Sku, situation: None) -> str | None:
    return notify_change_refusal(sku)


def suggest_refused(sku: Sku, situation: None) -> str | None:
    return suggestion_refusal(sku)


def check_refused(sku: Sku, situation: None) -> str | None:
    return suggestion_check_refusal(sku_latest_suggestion(sku=sku))


# In the order of the SKU page's buttons.
# fmt: off
OPERATIONS: dict[str, Operation] = {operation.name: operation for operation in (
    Operation("notify-change", gettext_lazy("Notify change"), NOTIFY,
              notify_refused, notify_change,
              queued=gettext_lazy("Change notification")),
    Operation("send-suggestion", gettext_lazy("Send suggestion"), SUGGEST,
              suggest_refused, send_suggestion,
              queued=gettext_lazy("Suggestion")),
    # Offered only while a suggestion waits for the marketplace's decision: nothing to say
    # otherwise.
    Operation("check-suggestion", gettext_lazy("Check suggestion"), SUGGEST,
              check_refused, check_suggestion,
              queued=gettext_lazy("Suggestion check"), listed_when_unavailable=False),
)}
# fmt: on
