"""Reads shared by the admin and the tasks (append only: both import and operations add here)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from orders.commands import Invoice as InvoiceCommand
from orders.commands import TrackingNumber
from orders.models import (
    AWAITING_DELIVERY,
    AWAITING_TRACKING,
    OPEN_CHANGE_STATUSES,
    ORDERS_FEED,
    FeedHealth,
    Invoice,
    InvoiceType,
    Order,
    OrderChange,
    OrderEvent,
    OrderItem,
    OrderStatusTally,
)
from orders.status import OrderStatus
from outbox.models import OPEN_STATES, CommandState, VtexCommand


@dataclass(frozen=True)
class CustomerDisplay:
    name: str
    email: str
    document_type: str
    document: str
    phone: str
    is_corporate: bool
    corporate_name: str
    trade_name: str
    corporate_document: str
    state_inscription: str
    corporate_phone: str
    # Shipping address: street level masked without the permission, city and state kept.
    receiver_name: str = ""
    street: str = ""
    number: str = ""
    complement: str = ""
    neighborhood: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


def customer_display(*, order: Order, user: AbstractBaseUser | AnonymousUser) -> CustomerDisplay:
    """The customer's data as ``user`` may see it: every screen shows customers through here.

    Without ``orders.view_customer_pii`` (the Viewer group) e-mail, documents and phones
    are masked, keeping just enough to tell customers apart, and so are the receiver and the
    street address (street, number, complement, postal code); city and state stay.
    """
    full = user.has_perm("orders.view_customer_pii")
    return CustomerDisplay(
        name=order.customer_name,
        email=order.customer_email if full else mask_email(order.customer_email),
        document_type=order.customer_document_type,
        document=order.customer_document if full else mask_tail(order.customer_document),
        phone=order.customer_phone if full else mask_tail(order.customer_phone),
        is_corporate=order.customer_is_corporate,
        corporate_name=order.customer_corporate_name,
        trade_name=order.customer_trade_name,
        corporate_document=(
            order.customer_corporate_document
            if full
            else mask_tail(order.customer_corporate_document)
        ),
        state_inscription=order.customer_state_inscription,
        corporate_phone=(
            order.customer_corporate_phone if full else mask_tail(order.customer_corporate_phone)
        ),
        receiver_name=(
            order.shipping_receiver_name if full else mask_name(order.shipping_receiver_name)
        ),
        street=order.shipping_street if full else mask_all(order.shipping_street),
        number=order.shipping_number if full else mask_all(order.shipping_number),
        complement=order.shipping_complement if full else mask_all(order.shipping_complement),
        neighborhood=order.shipping_neighborhood,
        city=order.shipping_city,
        state=order.shipping_state,
        postal_code=(
            order.shipping_postal_code if full else mask_postal_code(order.shipping_postal_code)
        ),
        country=order.shipping_country,
    )


def mask_email(email: str) -> str:
    """``joana.silva@example.com`` -> ``j***@example.com``."""
    if not email:
        return ""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_name(name: str) -> str:
    """``Joana Silva`` -> ``J*** S***``: initials only."""
    return " ".join(f"{word[:1]}***" for word in name.split())


def mask_all(value: str) -> str:
    return "***" if value else ""


def mask_postal_code(value: str) -> str:
    """``01310-100`` -> ``013*****``: the region (first 3 digits) only."""
    digits = "".join(char for char in value if char.isdigit())
    if not digits:
        return mask_all(value)
    return digits[:3] + "*" * max(len(digits) - 3, 0)


# What an operator types in the order list's search box, as people write it: a CPF/CNPJ with
# its dots, dash and slash, a phone with its parentheses, an order id without its ``-01``.
SEARCH_TYPED_NUMBER = re.compile(r"^[\d\s.\-/()+]+$")
SEARCH_ORDER_NUMBER = re.compile(r"^\d{6,}$")
# An order id's suffixes VTEX gives the orders of one purchase (split by seller or package).
ORDER_ID_SUFFIXES = tuple(f"-{number:02d}" for number in range(1, 10))


def order_search_matches(term: str, *, personal: bool) -> Q | None:
    """The orders a search ``term`` means beyond the admin's own search: the digits of a
    typed document or phone (only for staff who may see them: ``personal``) and the order ids
    of a number typed without its suffix. Exact matches, so each one is an index lookup."""
    term = term.strip()
    if not SEARCH_TYPED_NUMBER.match(term):
        return None
    digits = re.sub(r"\D", "", term)
    matches = Q()
    if SEARCH_ORDER_NUMBER.match(term):
        matches |= Q(vtex_order_id__in=[term + suffix for suffix in ORDER_ID_SUFFIXES])
    if personal and len(digits) in (11, 14):  # a CPF or a CNPJ
        matches |= Q(customer_document=digits) | Q(customer_corporate_document=digits)
    if personal and digits:
        national = digits[2:] if len(digits) in (12, 13) and digits.startswith("55") else digits
        if len(national) in (10, 11):  # area code and number
            phones = [f"+55{national}", national, f"55{national}"]
            matches |= Q(customer_phone__in=phones) | Q(customer_corporate_phone__in=phones)
    return matches or None


# A word that could be a name or an e-mail (a letter in it); the rest (an id, a sequence, a
# document typed as digits) only ever match exactly.
SEARCH_WORDY = re.compile(r"[^\W\d_]")


def order_search(term: str, *, personal: bool) -> Q | None:
    """The orders the order list's search box means by ``term`` (None: every order).

    Each word (quotes keep words together) matches an order id, a sequence or (``personal``)
    a document exactly, each a B-tree lookup; a word with a letter also matches inside the
    first or last name or (``personal``) the e-mail, served on PostgreSQL by trigram indexes
    (migration orders.0012); an order must match every word. Plus ``order_search_matches``:
    an id without its suffix, a document or phone as people type them.
    Only staff who may see customers' data (``personal``) search by it.
    """
    words = []
    for word in smart_split(term.strip()):
        if len(word) > 1 and word[0] in "\"'" and word[-1] == word[0]:
            word = unescape_string_literal(word)
        if word:
            words.append(word)
    if not words:
        return None
    found = Q()
    for word in words:
        exact = [word] if word == word.lower() else [word, word.lower()]
        matches = Q(vtex_order_id__in=exact) | Q(sequence=word)
        if personal:
            matches |= Q(customer_document=word)
        if "@" in word:  # an e-mail, not a name
            matches |= Q(customer_email__icontains=word) if personal else Q()
        elif SEARCH_WORDY.search(word):
            matches |= Q(customer_first_name__icontains=word)
            matches |= Q(customer_last_name__icontains=word)
            if personal:
                matches |= Q(customer_email__icontains=word)
        found &= matches
    typed = order_search_matches(term, personal=personal)
    return found | typed if typed is not None else found


def phone_display(value: str) -> str:
    """A Brazilian phone as Brazilians write it: ``+5511987654321`` -> ``(11) 98765-4321``
    (``(11) 3456-7890`` for a landline); anything else (foreign, masked, odd) as it is."""
    digits = "".join(character for character in value if character.isdigit())
    if value.startswith("+"):
        if not digits.startswith("55"):
            return value
        digits = digits[2:]
    if "*" in value or len(digits) not in (10, 11):
        return value
    area, number = digits[:2], digits[2:]
    return f"({area}) {number[:-4]}-{number[-4:]}"


def mask_tail(value: str, *, keep: int = 2) -> str:
    """Documents and phones: every character but the last ``keep`` hidden."""
    if not value:
        return ""
    if len(value) <= keep * 2:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]


def order_detail_related(*, order: Order) -> dict[str, list]:
    """Items, invoices (with their items and tracking) and the timeline of one order.

    A fixed number of queries whatever the number of items, invoices or events.
    """
    return {
        "items": list(order.items.all()),
        "invoices": list(
            order.invoices.prefetch_related(
                "items", Prefetch("tracking_events", to_attr="tracking")
            )
        ),
        "events": list(
            OrderEvent.objects.filter(order=order)
            .select_related("actor_user")
            .order_by("created_at", "pk")
        ),
    }


# --- Operations: what an order's invoices add up to (VTEX's mirror plus queued commands) ------


@dataclass(frozen=True)
class KnownInvoice:
    number: str
    type: str
    value: int
    key: str
    url: str
    # Sorted (item position, quantity) pairs.
    lines: list[tuple[int, int]]
    tracking_number: str
    # Queued (or just sent) and not yet seen in VTEX's document.
    pending: bool


@dataclass(frozen=True)
class InvoicingSummary:
    order_value: int
    output_total: int
    input_total: int
    ordered_quantities: dict[int, int]
    invoiced_quantities: dict[int, int]
    returned_quantities: dict[int, int]
    invoices: dict[str, KnownInvoice]
    # An order change is open in VTEX (being sent, processed or stopped on error): its items
    # and value are about to change.
    change_open: bool = False

    @property
    def fully_invoiced(self) -> bool:
        return self.order_value > 0 and self.output_total >= self.order_value

    @property
    def fully_returned(self) -> bool:
        return self.fully_invoiced and self.input_total >= self.output_total

    @property
    def uninvoiced_quantities(self) -> dict[int, int]:
        return {
            position: quantity - self.invoiced_quantities.get(position, 0)
            for position, quantity in self.ordered_quantities.items()
        }

    @property
    def unreturned_quantities(self) -> dict[int, int]:
        return {
            position: quantity - self.returned_quantities.get(position, 0)
            for position, quantity in self.invoiced_quantities.items()
        }


def order_invoicing_summary(
    *,
    order: Order,
    items: Iterable[OrderItem] | None = None,
    invoices: Iterable[Invoice] | None = None,
    commands: Iterable[VtexCommand] | None = None,
    change_open: bool | None = None,
) -> InvoicingSummary:
    """The order's invoices as VTEX has them (the mirror) plus those queued or just sent.

    A queued invoice counts as soon as it is written, so two operators cannot both invoice
    the same items; a rejected one does not count.

    ``items``, ``invoices`` (with their items prefetched) and ``commands`` (its invoice and
    tracking-number commands, open or succeeded, oldest first), when given, are the order's,
    already read (the order page, through ``order_detail_related``; a bulk import, through
    ``orders_invoicing_summaries``): not read again.
    """
    if items is None:
        items = order.items.all()
    if invoices is None:
        invoices = order.invoices.prefetch_related("items")
    if commands is None:
        commands = _invoicing_commands(VtexCommand.objects.filter(order=order))
    if change_open is None:
        change_open = order.changes.filter(status__in=OPEN_CHANGE_STATUSES).exists()
    known_invoices: dict[str, KnownInvoice] = {}
    for invoice in invoices:
        known_invoices[invoice.number] = KnownInvoice(
            number=invoice.number,
            type=invoice.type,
            value=invoice.value,
            key=invoice.key,
            url=invoice.url,
            lines=sorted((line.item_index, line.quantity) for line in invoice.items.all()),
            tracking_number=invoice.tracking_number,
            pending=False,
        )
    tracking: dict[str, str] = {}
    for command in commands:
        payload = command.payload
        if command.kind == TrackingNumber.kind:
            tracking[payload["invoice_number"]] = payload["tracking_number"]
            continue
        if payload["number"] in known_invoices:
            continue
        known_invoices[payload["number"]] = queued_invoice(payload)
    for number, tracking_number in tracking.items():
        known = known_invoices.get(number)
        if known is not None and not known.tracking_number:
            known_invoices[number] = replace(known, tracking_number=tracking_number)
    ordered: dict[int, int] = {}
    for item in items:
        ordered[item.position] = ordered.get(item.position, 0) + item.quantity
    summary = _summary_of(order_value=order.value, ordered=ordered, known_invoices=known_invoices)
    return replace(summary, change_open=change_open)


def orders_invoicing_summaries(
    *, orders: Iterable[Order], items: dict[int, list[OrderItem]]
) -> dict[int, InvoicingSummary]:
    """``order_invoicing_summary`` of many orders (by pk) in four queries; ``items`` are
    theirs, already read (by order pk)."""
    orders = list(orders)
    pks = [order.pk for order in orders]
    invoices: dict[int, list[Invoice]] = {pk: [] for pk in pks}
    for invoice in Invoice.objects.filter(order_id__in=pks).prefetch_related("items"):
        invoices[invoice.order_id].append(invoice)
    commands: dict[int, list[VtexCommand]] = {pk: [] for pk in pks}
    for command in _invoicing_commands(VtexCommand.objects.filter(order__in=pks)):
        commands[command.subject_id].append(command)
    changing = set(
        OrderChange.objects.filter(order_id__in=pks, status__in=OPEN_CHANGE_STATUSES).values_list(
            "order_id", flat=True
        )
    )
    return {
        order.pk: order_invoicing_summary(
            order=order,
            items=items.get(order.pk, []),
            invoices=invoices[order.pk],
            commands=commands[order.pk],
            change_open=order.pk in changing,
        )
        for order in orders
    }


def invoicing_summary_with(summary: InvoicingSummary, invoice: KnownInvoice) -> InvoicingSummary:
    """The summary once ``invoice`` is queued too (a bulk import, invoice after invoice)."""
    updated = _summary_of(
        order_value=summary.order_value,
        ordered=summary.ordered_quantities,
        known_invoices={**summary.invoices, invoice.number: invoice},
    )
    return replace(updated, change_open=summary.change_open)


def queued_invoice(payload: dict) -> KnownInvoice:
    """An invoice as its (queued or sent) command's payload describes it."""
    return KnownInvoice(
        number=payload["number"],
        type=payload["type"],
        value=payload["value"],
        key=payload.get("key", ""),
        url=payload.get("url", ""),
        lines=sorted((line["position"], line["quantity"]) for line in payload["lines"]),
        tracking_number=payload.get("tracking_number", ""),
        pending=True,
    )


def _invoicing_commands(commands: QuerySet[VtexCommand]) -> QuerySet[VtexCommand]:
    return commands.filter(
        kind__in=(InvoiceCommand.kind, TrackingNumber.kind),
        state__in=(*OPEN_STATES, CommandState.SUCCEEDED),
    ).order_by("pk")


def _summary_of(
    *, order_value: int, ordered: dict[int, int], known_invoices: dict[str, KnownInvoice]
) -> InvoicingSummary:
    invoiced: dict[int, int] = {}
    returned: dict[int, int] = {}
    totals = {InvoiceType.OUTPUT: 0, InvoiceType.INPUT: 0}
    for known in known_invoices.values():
        totals[known.type] = totals.get(known.type, 0) + known.value
        counted = invoiced if known.type == InvoiceType.OUTPUT else returned
        for position, quantity in known.lines:
            counted[position] = counted.get(position, 0) + quantity
    return InvoicingSummary(
        order_value=order_value,
        output_total=totals[InvoiceType.OUTPUT],
        input_total=totals[InvoiceType.INPUT],
        ordered_quantities=ordered,
        invoiced_quantities=invoiced,
        returned_quantities=returned,
        invoices=known_invoices,
    )


def start_handling_key(order: Order) -> str:
    return f"{order.vtex_order_id}:start-handling"


def start_handling_request(*, order: Order) -> VtexCommand | None:
    """The order's start-handling command still standing (a rejected one can be asked again)."""
    return (
        VtexCommand.objects.filter(key=start_handling_key(order))
        .exclude(state=CommandState.REJECTED)
        .first()
    )


# --- Queues: orders that wait for someone (the dashboard, the order list's "late") -------------


def _output_invoices() -> QuerySet[Invoice]:
    return Invoice.objects.filter(order=OuterRef("pk"), type=InvoiceType.OUTPUT)


def _since_last_change() -> Expression:
    # VTEX's last change of an order in these statuses is when it entered the status.
    return Coalesce("vtex_last_change", "created_at")


@dataclass(frozen=True)
class OrderQueue:
    """Orders waiting for someone: who is in it, since when each waits, and for how long it
    may wait (a setting, in hours) before it is late."""

    key: str
    label: Promise
    limit_setting: str
    # The queue's members at ``now``.
    members: Callable[[datetime], Q]
    # Since when a member waits (an expression on Order).
    waiting_since: Callable[[], Expression]

    def limit(self) -> timedelta:
        return timedelta(hours=getattr(settings, self.limit_setting))

    def late(self, now: datetime) -> Q:
        return self.members(now) & Q(LessThan(self.waiting_since(), now - self.limit()))


# The order queues, in the order an order goes through them. The dashboard shows each with
# its count, its oldest member and how many are late; the order list filters by them
# (``?queue=<key>``) and flags as late an order that is late in any of them.
ORDER_QUEUES: list[OrderQueue] = [
    OrderQueue(
        key="ready-for-handling",
        label=_("Ready for handling"),
        limit_setting="QUEUE_READY_FOR_HANDLING_HOURS",
        members=lambda now: Q(status=OrderStatus.READY_FOR_HANDLING),
        waiting_since=_since_last_change,
    ),
    OrderQueue(
        key="handling-not-invoiced",
        label=_("Handling, not invoiced"),
        limit_setting="QUEUE_HANDLING_NOT_INVOICED_HOURS",
        members=lambda now: Q(status=OrderStatus.HANDLING) & ~Q(Exists(_output_invoices())),
        waiting_since=_since_last_change,
    ),
    OrderQueue(
        key="invoiced-without-tracking",
        label=_("Invoiced without tracking"),
        limit_setting="QUEUE_INVOICED_WITHOUT_TRACKING_HOURS",
        members=lambda now: AWAITING_TRACKING,
        waiting_since=lambda: F("untracked_since"),
    ),
    OrderQueue(
        key="past-delivery-date",
        label=_("Past the estimated delivery date"),
        limit_setting="QUEUE_PAST_DELIVERY_HOURS",
        members=lambda now: Q(estimated_delivery_at__lt=now) & AWAITING_DELIVERY,
        waiting_since=lambda: F("estimated_delivery_at"),
    ),
]


def order_queue(key: str) -> OrderQueue | None:
    return next((queue for queue in ORDER_QUEUES if queue.key == key), None)


def orders_late(*, now: datetime) -> Q:
    """Orders late in any queue: past the estimated delivery, or waiting past a queue's limit."""
    late = Q()
    for queue in ORDER_QUEUES:
        late |= queue.late(now)
    return late


@dataclass(frozen=True)
class QueueStats:
    count: int
    late: int
    oldest_since: datetime | None


def order_queue_stats(*, queue: OrderQueue, now: datetime) -> QueueStats:
    """One query: the queue's members, those late and the oldest's waiting start."""
    since = queue.waiting_since()
    row = Order.objects.filter(queue.members(now)).aggregate(
        count=Count("pk"),
        late=Count("pk", filter=Q(LessThan(since, now - queue.limit()))),
        oldest=Min(since),
    )
    return QueueStats(count=row["count"], late=row["late"], oldest_since=row["oldest"])


def order_status_counts(*, queryset: QuerySet[Order] | None = None) -> dict[str, int]:
    """Orders per status in ``queryset`` (one GROUP BY query), or in the whole mirror
    (``order_status_totals``) when it filters nothing."""
    if queryset is None or not queryset.query.where:
        return order_status_totals()
    rows = queryset.order_by().values_list("status").annotate(total=Count("pk"))
    return dict(rows)


def order_status_totals() -> dict[str, int]:
    """Orders per status in the whole mirror: on PostgreSQL the sums of the status tally the
    database keeps as orders change (orders.models.tallies: a few rows, not a GROUP BY over a
    million orders); elsewhere a GROUP BY."""
    if connections[Order.objects.db].vendor != "postgresql":
        rows = Order.objects.order_by().values_list("status").annotate(total=Count("pk"))
        return dict(rows)
    sums = (
        OrderStatusTally.objects.order_by()
        .values_list("status")
        .annotate(total=Sum("delta"))
        .filter(total__gt=0)
    )
    return dict(sums)


@dataclass(frozen=True)
class DayCounts:
    day: date
    received: int
    invoiced: int
    canceled: int


def orders_per_day(*, days: int, now: datetime) -> list[DayCounts]:
    """Orders received (created), invoiced and canceled on each of the last ``days`` days,
    today included, in the current time zone. Three GROUP BY queries whatever the number of
    orders. A canceled order's cancellation day is its last change in VTEX (canceled is
    final: nothing changes it afterwards)."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate(now, zone)
    first_day = today - timedelta(days=days - 1)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=zone)

    def per_day(field: str, queryset: QuerySet[Order]) -> dict[date, int]:
        rows = (
            queryset.filter(**{f"{field}__gte": start})
            .annotate(day=TruncDate(field, tzinfo=zone))
            .order_by()
            .values_list("day")
            .annotate(total=Count("pk"))
        )
        return dict(rows)

    received = per_day("created_at", Order.objects.all())
    invoiced = per_day("invoiced_at", Order.objects.all())
    canceled = per_day("vtex_last_change", Order.objects.filter(status=OrderStatus.CANCELED))
    return [
        DayCounts(
            day=day,
            received=received.get(day, 0),
            invoiced=invoiced.get(day, 0),
            canceled=canceled.get(day, 0),
        )
        for day in (first_day + timedelta(days=offset) for offset in range(days))
    ]


def feed_health(*, name: str = ORDERS_FEED) -> FeedHealth | None:
    """How the feed's drains went (None before its first drain)."""
    return FeedHealth.objects.filter(name=name).first()


# --- Order changes -----------------------------------------------------------------------------


def order_changes(*, order: Order) -> list[OrderChange]:
    """The order's changes (Order Modifications API), newest first, with who asked."""
    return list(order.changes.select_related("requested_by").order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class OrderSyncState:
    """When the mirror of an order was last read from VTEX, and VTEX's ``lastChange`` then."""

    vtex_last_change: datetime | None
    synced_at: datetime

    def holds_change(
        self, *, current_change: datetime | None, last_change: datetime | None
    ) -> bool:
        """Whether the mirror already holds the change a hook notification announces: its
        ``CurrentChange`` is not newer than the mirror's ``lastChange``, or (without one) the
        mirror has a change newer than the notification's ``LastChange``, which can only be
        the announced change or a later one."""
        if self.vtex_last_change is None:
            return False
        if current_change is not None:
            return current_change <= self.vtex_last_change
        return last_change is not None and last_change < self.vtex_last_change


def order_sync_state(*, vtex_order_id: str) -> OrderSyncState | None:
    row = (
        Order.objects.filter(vtex_order_id=vtex_order_id)
        .values_list("vtex_last_change", "synced_at")
        .first()
    )
    return None if row is None else OrderSyncState(*row)
