"""Order changes: built by the operator, previewed by VTEX, confirmed, then sent.

With ``VTEX_ORDER_CHANGES_API=modifications`` (the default) a change goes through VTEX's
Order Modifications API: the preview is a synchronous read the operator waits for (it
changes nothing at VTEX), and only the confirmed change becomes an outbox command (keyed by
the change form's one-time token, so a double submit sends one). VTEX then processes the
change on its own (``waiting-acknowledgement`` -> ``waiting-confirmation`` -> ``done``, or
``error``, from which the operator retries or cancels it); ``order_changes_follow`` copies
VTEX's status and log into ``OrderChange`` and writes the audit rows. The mirror's items and
totals come from VTEX's order document, which changes only once VTEX says the change is done.

With ``legacy`` the change is one RegisterChange call (deprecated by VTEX), previewed here
from the mirror's prices and the typed prices of added items.

Refused before anything is sent (``ActionRefused``): an order in a status VTEX does not
modify or whose payment is finished, a change still open, an empty change, removing more
than the order has, and a price increase on a payment method VTEX cannot charge again (a
manual increment at once; anything else once VTEX's preview shows the increase).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from core.actor import Actor
from core.refusals import ActionRefused
from core.vtex import vtex_client
from orders import command_kinds as kinds
from orders import validators as bounds
from orders.models import (
    OPEN_CHANGE_STATUSES,
    ChangeStatus,
    EventType,
    Order,
    OrderChange,
    OrderItem,
)
from orders.operations.common import (
    ActionResult,
    lengths_check,
    order_command_enqueue,
    order_lock,
    refusal_raise,
    status_refusal,
    validator_check,
)
from orders.selectors.invoicing import InvoicingSummary, order_invoicing_summary
from orders.services.audit import event_record
from orders.status import Action, status_allows
from orders.validators import validate_order_change_remainder, validate_order_change_values
from outbox.enqueue import command_key
from outbox.models import OPEN_STATES, VtexCommand
from outbox.refusals import refusal_explanation
from vtex import VtexClient, VtexError, VtexNotFound, VtexRejected, wire

logger = logging.getLogger(__name__)

MODIFICATIONS = kinds.MODIFICATIONS
LEGACY = kinds.LEGACY
# "Increasing the price of an order is allowed only when the order was paid by credit card,
# payable notes, cash, or credit control" (Createchange's description). VTEX's payment
# groups; a mirror lists an order's groups comma-joined.
CHARGEABLE_PAYMENT_GROUPS = frozenset({"creditCard", "promissory", "cash", "creditControl"})
# The statuses VTEX's change history reports, as ours.
VTEX_STATUSES = {status.value: status for status in ChangeStatus}


# An order change's requestId (a UUID in hex, made by the change form or by order_change).
CHANGE_REQUEST_ID = re.compile(r"\A[0-9a-f]{32}\Z")


@dataclass(frozen=True)
class ChangeLine:
    sku_id: str
    quantity: int
    price: int


def change_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """VTEX modifies orders in handling, waiting-for-fulfillment and ready for invoicing,
    and not once the payment transaction is finished (the order invoiced in full)."""
    if order.at_marketplace:
        return _(
            "This order was placed by a marketplace, which takes no order changes from its sellers."
        )
    if not status_allows(order.status, Action.CHANGE):
        return status_refusal(order, Action.CHANGE)
    if summary.fully_invoiced:
        return _(
            "The order is invoiced in full: its payment is settled and VTEX no longer modifies it."
        )
    return None


@dataclass(frozen=True)
class Replacement:
    """``quantity`` of the order's SKU ``sku_id`` replaced by ``new_quantity`` of ``new_sku_id``
    (the same SKU with another quantity changes the quantity)."""

    sku_id: str
    quantity: int
    new_sku_id: str
    new_quantity: int


@dataclass(frozen=True)
class ChangeRequest:
    reason: str
    items_removed: tuple[ChangeLine, ...] = ()
    # Prices of added items only matter to the legacy API (VTEX's catalog prices them).
    items_added: tuple[ChangeLine, ...] = ()
    replaced: tuple[Replacement, ...] = ()
    discount_value: int = 0
    increment_value: int = 0

    def digest(self) -> str:
        """A fingerprint of the change: a confirmation is for the change previewed."""
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ChangePreview:
    """What VTEX (or, legacy, the mirror) says the change does to the order's value."""

    order_value: int
    total_change_value: int
    totals: dict[str, int]
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def new_value(self) -> int:
        return self.order_value + self.total_change_value

    def as_payload(self) -> dict[str, Any]:
        return {
            "order_value": self.order_value,
            "total_change_value": self.total_change_value,
            "new_value": self.new_value,
            "totals": self.totals,
        }


def change_request(
    *,
    reason: str,
    items_removed: Sequence[ChangeLine] = (),
    items_added: Sequence[ChangeLine] = (),
    replaced: Sequence[Replacement] = (),
    discount_value: int = 0,
    increment_value: int = 0,
) -> ChangeRequest:
    return ChangeRequest(
        reason=reason.strip(),
        items_removed=tuple(items_removed),
        items_added=tuple(items_added),
        replaced=tuple(replaced),
        discount_value=discount_value,
        increment_value=increment_value,
    )


def change_preview_operation(
    *, order: Order, summary: InvoicingSummary, arguments: dict[str, Any]
) -> ChangePreview:
    """The operations table's preview of the change form's ``arguments``."""
    fields = {name: value for name, value in arguments.items() if name != "request_id"}
    return order_change_preview(order=order, change=change_request(**fields), summary=summary)


def change_api() -> str:
    return settings.VTEX_ORDER_CHANGES_API


def payment_chargeable_again(order: Order) -> bool:
    groups = {group.strip() for group in (order.payment_group or "").split(",") if group.strip()}
    return bool(groups) and groups <= CHARGEABLE_PAYMENT_GROUPS


# --- Checks before anything is sent ----------------------------------------------------------


def _check_input(change: ChangeRequest) -> None:
    if not change.reason.strip():
        raise ActionRefused(_("An order change needs a reason."))
    lengths_check((change.reason.strip(), bounds.REASON))
    if change.discount_value < 0 or change.increment_value < 0:
        raise ActionRefused(_("Discount and increment cannot be negative."))
    if not (
        change.items_removed
        or change.items_added
        or change.replaced
        or change.discount_value
        or change.increment_value
    ):
        raise ActionRefused(
            _("The change changes nothing: remove, replace or add items, or give a value.")
        )
    for line in (*change.items_removed, *change.items_added):
        if line.quantity <= 0 or line.price < 0 or not line.sku_id:
            raise ActionRefused(_("Each changed item needs a SKU and a positive quantity."))
        lengths_check((line.sku_id, bounds.SKU_ID))
    for swap in change.replaced:
        if swap.quantity <= 0 or swap.new_quantity <= 0 or not swap.new_sku_id:
            raise ActionRefused(_("Each replacement needs a positive quantity and a new SKU."))
        lengths_check((swap.new_sku_id, bounds.SKU_ID))


def _removed_quantities(change: ChangeRequest) -> dict[str, int]:
    removing: dict[str, int] = {}
    for sku, quantity in (
        *((line.sku_id, line.quantity) for line in change.items_removed),
        *((swap.sku_id, swap.quantity) for swap in change.replaced),
    ):
        removing[sku] = removing.get(sku, 0) + quantity
    return removing


def _check_order(order: Order, change: ChangeRequest, summary: InvoicingSummary) -> None:
    """What VTEX would refuse of ``change`` on ``order``, known without asking it."""
    refusal_raise(change_refusal, order, summary)
    if order.changes.filter(status__in=OPEN_CHANGE_STATUSES).exists():
        raise ActionRefused(
            _(
                "The order has an order change still open in VTEX (being sent, being "
                "processed or stopped on error); wait for it, or retry or cancel it first."
            )
        )
    if VtexCommand.objects.filter(
        order=order, kind=kinds.Invoice.kind, state__in=OPEN_STATES
    ).exists():
        raise ActionRefused(
            _(
                "The order has an invoice still being sent to VTEX; register the "
                "change once it is confirmed (VTEX mixes up concurrent changes and invoices)."
            )
        )
    ordered: dict[str, int] = {}
    prices: dict[str, int] = {}
    for item in order.items.all():
        ordered[item.sku_id] = ordered.get(item.sku_id, 0) + item.quantity
        prices.setdefault(item.sku_id, item.invoice_unit_price)
    removing = _removed_quantities(change)
    for sku, quantity in removing.items():
        if quantity > ordered.get(sku, 0):
            raise ActionRefused(
                _("The order has %(ordered)s of SKU %(sku)s; cannot remove %(quantity)s.")
                % {
                    "ordered": ordered.get(sku, 0),
                    "sku": sku,
                    "quantity": quantity,
                }
            )
    if change.increment_value and not payment_chargeable_again(order):
        raise ActionRefused(_price_increase_refusal(order))
    removed = sum(quantity * prices.get(sku, 0) for sku, quantity in removing.items())
    legacy = change_api() == LEGACY
    added = sum(line.quantity * line.price for line in change.items_added) if legacy else 0
    values = {
        "order_value": order.value,
        "discount": change.discount_value,
        "increment": change.increment_value,
        "removed": removed,
        "added": added,
    }
    validator_check(validate_order_change_values, **values)
    adds_items = bool(change.items_added or change.replaced)
    if legacy or not adds_items:
        # With the Order Modifications API an added item's price is VTEX's catalog's, seen
        # in the preview; without additions the value after the change is known here.
        validator_check(
            validate_order_change_remainder,
            **values,
            invoiced=summary.output_total,
            removes_every_item=bool(removing) and removing == ordered,
            adds_items=adds_items,
        )


def change_items_left(
    *,
    items: Sequence[OrderItem],
    removed: Mapping[int, int],
    replaced: Sequence[Replacement],
) -> dict[int, int]:
    """Each item's units after the change (position -> units), as the change form shows them
    beside each item: what the order has of it, less what is removed of it (``removed``, by
    position), less what replacements take of its SKU (from the first item of that SKU on;
    the last takes what is left over), plus a replacement's new quantity of the same SKU.
    Below 0 when the change takes more than the order has (the checks refuse that change).
    The change form's script (templates/admin/orders/order/operation_form.html) counts alike
    as the operator types."""
    left = {item.position: item.quantity - removed.get(item.position, 0) for item in items}
    for swap in replaced:
        same_sku = [item.position for item in items if item.sku_id == swap.sku_id]
        if not same_sku:
            continue
        rest = swap.quantity
        for position in same_sku:
            taken = min(rest, max(left[position], 0))
            left[position] -= taken
            rest -= taken
        left[same_sku[-1]] -= rest
        if swap.new_sku_id == swap.sku_id:
            left[same_sku[0]] += swap.new_quantity
    return left


def _price_increase_refusal(order: Order) -> str:
    return _(
        "This change raises the price of order %(order)s, paid by %(payment)s: VTEX only "
        "charges a price increase to orders paid by credit card, promissory note, cash or "
        "credit control."
    ) % {"order": order.vtex_order_id, "payment": order.payment_method or order.payment_group}


def change_body(change: ChangeRequest) -> dict[str, Any]:
    """The Order Modifications body of ``change`` (Createchange and PreviewChange)."""
    return wire.change_body(
        reason=change.reason.strip(),
        manual_discount=change.discount_value,
        manual_increment=change.increment_value,
        add=[{"id": line.sku_id, "quantity": line.quantity} for line in change.items_added],
        remove=[{"id": line.sku_id, "quantity": line.quantity} for line in change.items_removed],
        replace=[
            (
                [{"id": swap.sku_id, "quantity": swap.quantity}],
                [{"id": swap.new_sku_id, "quantity": swap.new_quantity}],
            )
            for swap in change.replaced
        ],
    )


# --- Preview ---------------------------------------------------------------------------------


def order_change_preview(
    *,
    order: Order,
    change: ChangeRequest,
    summary: InvoicingSummary,
    client: VtexClient | None = None,
) -> ChangePreview:
    """VTEX's preview of ``change`` (a read: nothing changes at VTEX), after the checks
    above; VTEX down or refusing becomes an ``ActionRefused`` the form shows."""
    _check_input(change)
    _check_order(order, change, summary)
    if change_api() == LEGACY:
        preview = _legacy_preview(order, change)
    else:
        client = client or vtex_client()
        try:
            answer = client.preview_change(order.vtex_order_id, change=change_body(change))
        except (VtexRejected, VtexNotFound) as error:
            raise ActionRefused(_preview_refusal(error)) from error
        except VtexError as error:
            raise ActionRefused(
                _(
                    "VTEX could not preview this change now (%(error)s); nothing was sent. "
                    "Try again in a moment."
                )
                % {"error": _vtex_text(error)}
            ) from error
        if not isinstance(answer, dict) or not isinstance(answer.get("totalChangeValue"), int):
            # A 2xx without the preview (a proxy's page): nothing to confirm on.
            raise ActionRefused(
                _(
                    "VTEX could not preview this change now (its answer had no new totals); "
                    "nothing was sent. Try again in a moment."
                )
            )
        preview = ChangePreview(
            order_value=order.value,
            total_change_value=int(answer.get("totalChangeValue") or 0),
            totals={
                str(total.get("id")): int(total.get("value") or 0)
                for total in answer.get("totals") or []
                if isinstance(total, dict)
            },
            answer=answer,
        )
    if preview.total_change_value > 0 and not payment_chargeable_again(order):
        raise ActionRefused(_price_increase_refusal(order))
    return preview


def _vtex_text(error: VtexError) -> str:
    return error.message


def _preview_refusal(error: VtexError) -> str:
    """VTEX's refusal of a preview: what its code means (``outbox.refusals``, the table the
    commands' refusals use), beside VTEX's own words."""
    explanation = refusal_explanation(error.code or str(error.status or ""))
    if not explanation:
        return _("VTEX refused this change: %(message)s") % {"message": error.message}
    return _("VTEX refused this change: %(explanation)s (VTEX: “%(message)s”)") % {
        "explanation": explanation,
        "message": error.message,
    }


def _legacy_preview(order: Order, change: ChangeRequest) -> ChangePreview:
    prices = {item.sku_id: item.invoice_unit_price for item in order.items.all()}
    if any(line.price <= 0 for line in change.items_added):
        raise ActionRefused(_("With the legacy change API each added item needs its unit price."))
    if change.replaced:
        raise ActionRefused(
            _("The legacy change API has no replacement: remove the item and add the new one.")
        )
    removed = sum(line.quantity * prices.get(line.sku_id, 0) for line in change.items_removed)
    added = sum(line.quantity * line.price for line in change.items_added)
    delta = added - removed + change.increment_value - change.discount_value
    totals = {
        "Items": order.items_total + added - removed + change.increment_value,
        "Discounts": order.discounts_total - change.discount_value,
        "Shipping": order.shipping_total,
        "Tax": order.tax_total,
    }
    return ChangePreview(order_value=order.value, total_change_value=delta, totals=totals)


# --- Confirm ---------------------------------------------------------------------------------


def order_change(
    *,
    order: Order,
    user: User | None,
    reason: str,
    items_removed: Sequence[ChangeLine] = (),
    items_added: Sequence[ChangeLine] = (),
    replaced: Sequence[Replacement] = (),
    discount_value: int = 0,
    increment_value: int = 0,
    request_id: str = "",
    preview: ChangePreview | None = None,
    source: Actor | str = Actor.ADMIN,
) -> ActionResult:
    """Queue the change the operator confirmed (after ``order_change_preview``).

    ``request_id`` is the change form's one-time token and the command's key: the same form
    confirmed twice queues one change. The checks run again under the order's lock.
    """
    request_id = request_id.strip() or uuid.uuid4().hex
    if not CHANGE_REQUEST_ID.fullmatch(request_id):
        raise ActionRefused(_("This order change form is invalid; open it again."))
    change = change_request(
        reason=reason,
        items_removed=items_removed,
        items_added=items_added,
        replaced=replaced,
        discount_value=discount_value,
        increment_value=increment_value,
    )
    _check_input(change)
    api = change_api()
    with transaction.atomic():
        order = order_lock(order)
        key = kinds.Change.key_for(order.vtex_order_id, request_id)
        same = VtexCommand.objects.filter(key=key).first()
        if same is not None:
            # This very form was confirmed before: nothing new to send.
            return ActionResult(order=order, command=same, created=False)
        summary = order_invoicing_summary(order=order)
        _check_order(order, change, summary)
        payload: dict[str, Any]
        if api == LEGACY:
            preview = preview or _legacy_preview(order, change)
            payload = {
                "api": LEGACY,
                "request_id": request_id,
                "reason": change.reason,
                "discount_value": discount_value,
                "increment_value": increment_value,
                "items_removed": _legacy_lines(order, change.items_removed),
                "items_added": [_line(line) for line in change.items_added],
            }
        else:
            payload = {
                "api": MODIFICATIONS,
                "request_id": request_id,
                "change": change_body(change),
            }
        OrderChange.objects.create(
            order=order,
            request_token=request_id,
            api=api,
            reason=change.reason,
            change=payload.get("change") or payload,
            preview=preview.as_payload() if preview else {},
            total_change_value=preview.total_change_value if preview else 0,
            requested_by=user if user is not None and user.is_authenticated else None,
        )
        result = order_command_enqueue(
            order=order,
            user=user,
            source=source,
            kind=kinds.Change.kind,
            key=key,
            payload=kinds.ChangePayload(**payload),
        )
        event_record(
            order=order,
            type=EventType.CHANGE_CONFIRMED,
            source=source,
            actor_user=user,
            payload={
                "command": key,
                "api": api,
                "change": payload.get("change") or payload,
                "preview": preview.as_payload() if preview else None,
            },
        )
        return result


def _line(line: ChangeLine) -> dict[str, Any]:
    return {"id": line.sku_id, "quantity": line.quantity, "price": line.price}


def _legacy_lines(order: Order, lines: Iterable[ChangeLine]) -> list[dict[str, Any]]:
    prices = {item.sku_id: item.invoice_unit_price for item in order.items.all()}
    return [
        {"id": line.sku_id, "quantity": line.quantity, "price": prices.get(line.sku_id, line.price)}
        for line in lines
    ]


# --- A change stopped on error: retry or cancel ----------------------------------------------


def stopped_change(order: Order) -> OrderChange | None:
    return order.changes.filter(status=ChangeStatus.ERROR).exclude(vtex_request_id="").first()


def _open_follow_up(change: OrderChange) -> bool:
    return VtexCommand.objects.filter(
        order=change.order,
        kind__in=(kinds.ChangeRetry.kind, kinds.ChangeCancel.kind),
        state__in=OPEN_STATES,
        payload__change_request_id=change.vtex_request_id,
    ).exists()


def change_stopped_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """Retry and cancel act on a change VTEX stopped on error (one at a time)."""
    stopped = stopped_change(order)
    if stopped is None:
        return _("The order has no order change stopped on error.")
    if _open_follow_up(stopped):
        return _("The order change is already being retried or canceled in VTEX.")
    return None


def order_change_retry(
    *, order: Order, user: User | None, source: Actor | str = Actor.ADMIN
) -> ActionResult:
    return _follow_up(
        order=order,
        user=user,
        source=source,
        kind=kinds.ChangeRetry.kind,
        event=EventType.CHANGE_RETRIED,
        reason=_("Retried from the back office"),
    )


def order_change_cancel(
    *, order: Order, user: User | None, reason: str, source: Actor | str = Actor.ADMIN
) -> ActionResult:
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Canceling an order change needs a reason."))
    lengths_check((reason, bounds.REASON))
    return _follow_up(
        order=order,
        user=user,
        source=source,
        kind=kinds.ChangeCancel.kind,
        event=EventType.CHANGE_CANCELED,
        reason=reason,
    )


def _follow_up(
    *,
    order: Order,
    user: User | None,
    source: Actor | str,
    kind: str,
    event: EventType,
    reason: str,
) -> ActionResult:
    with transaction.atomic():
        order = order_lock(order)
        refusal_raise(change_stopped_refusal, order)
        stopped = stopped_change(order)
        if stopped is None:
            # change_stopped_refusal refused an order without one, under the same lock.
            raise LookupError(f"order {order.vtex_order_id}: no stopped change to follow up")
        attempt = VtexCommand.objects.filter(
            order=order, kind=kind, payload__change_request_id=stopped.vtex_request_id
        ).count()
        key = command_key(order.vtex_order_id, kind, stopped.vtex_request_id, str(attempt + 1))
        payload = kinds.ChangeFollowUpPayload(
            change_request_id=stopped.vtex_request_id, reason=reason
        )
        result = order_command_enqueue(
            order=order, user=user, source=source, kind=kind, key=key, payload=payload
        )
        event_record(
            order=order,
            type=event,
            source=source,
            actor_user=user,
            payload={"command": key, "vtex_request_id": stopped.vtex_request_id, "reason": reason},
        )
        return result


# --- Following VTEX --------------------------------------------------------------------------


def order_changes_follow(*, vtex_order_ids: Iterable[str], client: VtexClient | None = None) -> int:
    """Read VTEX's change history of the orders among ``vtex_order_ids`` with a change VTEX
    is processing (or one just retried or canceled), and record what moved. Returns the
    number of changes whose status changed.

    Called for every feed batch: each query reads one table by a literal list of keys, so
    its plan is an index lookup whatever the statistics say (a join of orders with the
    changes, planned on a fresh database that ANALYZE has not seen, scanned every order
    once per order of the batch)."""
    order_pks = list(
        Order.objects.filter(vtex_order_id__in=list(vtex_order_ids)).values_list("pk", flat=True)
    )
    if not order_pks:
        return 0
    followed = set(
        OrderChange.objects.filter(
            order_id__in=order_pks, status__in=OPEN_CHANGE_STATUSES, api=MODIFICATIONS
        ).values_list("order_id", flat=True)
    )
    if not followed:
        return 0
    orders = list(Order.objects.filter(pk__in=sorted(followed)).order_by("pk"))
    client = client or vtex_client()
    moved = 0
    for order in orders:
        try:
            history = client.get_change_history(order.vtex_order_id)
        except VtexError as error:
            logger.info("order %s: change history not read: %s", order.vtex_order_id, error)
            continue
        moved += _history_record(order=order, history=history, redact=client.redact)
    return moved


def order_changes_follow_open(*, limit: int = 500, client: VtexClient | None = None) -> int:
    """Follow every change VTEX may still be processing, oldest first (the reconciliation's
    part: a change that stops on error sends no feed event)."""
    vtex_order_ids = (
        OrderChange.objects.filter(
            api=MODIFICATIONS,
            status__in=(
                ChangeStatus.REQUESTED,
                ChangeStatus.WAITING_ACKNOWLEDGEMENT,
                ChangeStatus.WAITING_CONFIRMATION,
            ),
        )
        .order_by("updated_at")
        .values_list("order__vtex_order_id", flat=True)[:limit]
    )
    return order_changes_follow(vtex_order_ids=list(dict.fromkeys(vtex_order_ids)), client=client)


def _history_record(*, order: Order, history: dict[str, Any], redact: Any) -> int:
    logs: dict[str, list[dict[str, Any]]] = {}
    for action in history.get("actions") or []:
        if isinstance(action, dict) and action.get("requestId"):
            logs.setdefault(str(action["requestId"]), []).append(
                {
                    "status": str(action.get("status") or ""),
                    "date": str(action.get("date") or ""),
                    "message": redact(str(action.get("message") or ""))[:500],
                }
            )
    requests = [r for r in history.get("requests") or [] if isinstance(r, dict)]
    statuses = {str(r.get("requestId")): str(r.get("status") or "") for r in requests}
    moved = 0
    with transaction.atomic():
        changes = OrderChange.objects.select_for_update().filter(order=order, api=MODIFICATIONS)
        for change in changes:
            if not change.vtex_request_id:
                # Created, but its answer was lost: found in the history by its marker.
                marker = kinds.change_marker(change.request_token)
                found = next(
                    (r for r in requests if str(r.get("reason") or "").endswith(marker)), None
                )
                if found is None:
                    continue
                change.vtex_request_id = str(found.get("requestId") or "")
                change.workflow_id = str(found.get("workflowId") or "")
                change.save(update_fields=["vtex_request_id", "workflow_id", "updated_at"])
            vtex_status = statuses.get(change.vtex_request_id)
            status = VTEX_STATUSES.get(vtex_status or "")
            entries = logs.get(change.vtex_request_id, change.logs)
            if status is None or (status == change.status and entries == change.logs):
                continue
            previous = change.status
            change.status = status
            change.logs = entries
            if entries:
                change.message = entries[-1]["message"]
            change.save(update_fields=["status", "logs", "message", "updated_at"])
            if status == previous:
                continue
            moved += 1
            event = {
                ChangeStatus.DONE: EventType.CHANGE_DONE,
                ChangeStatus.ERROR: EventType.CHANGE_STOPPED,
            }.get(status)
            if event is not None:
                event_record(
                    order=order,
                    type=event,
                    source=Actor.OUTBOX,
                    receipt=change.vtex_request_id,
                    payload={
                        "vtex_request_id": change.vtex_request_id,
                        "from": previous,
                        "status": status.value,
                        "message": change.message,
                    },
                )
    return moved
