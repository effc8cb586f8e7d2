"""Start handling: ask VTEX to move a ready-for-handling order to handling (one click)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actor import Actor
from core.admin_operations import Operation
from orders import command_kinds as kinds
from orders.models import Order
from orders.operations.common import (
    ActionResult,
    order_command_enqueue,
    order_lock,
    refusal_raise,
    status_refusal,
)
from orders.operations.permissions import START_HANDLING
from orders.selectors.invoicing import InvoicingSummary, start_handling_key, start_handling_request
from orders.status import Action, OrderStatus, status_allows
from outbox.models import VtexCommand


def start_handling_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """Ready for handling, and never asked before (a rejected request may be asked again)."""
    if order.at_marketplace:
        return _(
            "This order was placed by a marketplace: the marketplace has no start "
            "handling; send its invoice when it is ready."
        )
    if not status_allows(order.status, Action.START_HANDLING):
        return status_refusal(order, Action.START_HANDLING)
    previous = start_handling_request(order=order)
    if previous is not None:
        return _("Start handling was already requested for this order (%(state)s).") % {
            "state": previous.get_state_display(),
        }
    return None


def order_start_handling(
    *, order: Order, user: User | None, source: Actor | str = Actor.ADMIN
) -> ActionResult:
    """Ask VTEX to move a ready-for-handling order to handling; never twice per order."""
    with transaction.atomic():
        order = order_lock(order)
        refusal_raise(start_handling_refusal, order)
        return order_command_enqueue(
            order=order,
            user=user,
            source=source,
            kind=kinds.StartHandling.kind,
            key=start_handling_key(order),
            payload=kinds.NoPayload(),
        )


def order_start_handling_after_import(*, order: Order, source: Actor | str) -> ActionResult | None:
    """With ``VTEX_AUTO_START_HANDLING``, start handling an order the import just mirrored in
    ready-for-handling; run inside the import's transaction. Never twice per order."""
    if not settings.VTEX_AUTO_START_HANDLING or order.status != OrderStatus.READY_FOR_HANDLING:
        return None
    # Even a rejected request is not repeated automatically: an operator decides.
    if VtexCommand.objects.filter(key=start_handling_key(order)).exists():
        return None
    return order_start_handling(order=order, user=None, source=source)


# fmt: off
OPERATIONS = (
    Operation("start-handling", gettext_lazy("Start handling"), START_HANDLING,
              start_handling_refusal, order_start_handling),
)
# fmt: on
