"""The sandbox's whole state, guarded by one lock, and the events a status change emits.

Every status change stamps `lastChange`, puts an event on the feed (when a feed
is configured and its filter matches) and hands a notification to the hook
dispatcher (when a hook is configured and matches). Transient statuses
(`start-handling`, `invoice`, `cancel`) finish `transition_delay` seconds later:
due transitions are applied at the start of every request and by the server's
ticker thread, so feed and hook see them even when nobody calls.
"""

from __future__ import annotations

import copy
import itertools
import random
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sandbox.clock import clock, event_id, monotonic, utcnow, vtex_datetime
from sandbox.documents import order_document
from sandbox.errors import bad_request, order_not_found
from sandbox.faults import FaultInjector, Faults
from sandbox.feed import FeedQueue
from sandbox.filters import EventFilter
from sandbox.generator import OrderFactory, generate_orders, spread_creation_dates
from sandbox.hook import HookConfig, HookDispatcher
from sandbox.model import CHANGE_SETTINGS, TRANSIENT_TARGET, Order

# The status an order normally comes from, for `lastState` of orders created in a status.
PREVIOUS_STATUS = {
    "payment-pending": "order-created",
    "payment-approved": "approve-payment",
    "window-to-cancel": "payment-approved",
    "ready-for-handling": "window-to-cancel",
    "start-handling": "ready-for-handling",
    "handling": "start-handling",
    "invoice": "handling",
    "invoiced": "invoice",
    "cancel": "ready-for-handling",
    "canceled": "cancel",
}
CALL_LOG_SIZE = 200_000


@dataclass
class Options:
    transition_delay: float = 0.0
    duplicate_rate: float = 0.0
    # Order Modifications: seconds each step of a change lasts (0: done when created), and
    # how many of the next changes stop on error (sandbox.modifications).
    change_delay: float = 0.0
    change_stops: int = 0

    @classmethod
    def merged(cls, current: Options, data: dict) -> Options:
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise bad_request(f"Unknown options: {', '.join(sorted(unknown))}")
        options = cls(**{**asdict(current), **data})
        if not isinstance(options.transition_delay, int | float) or options.transition_delay < 0:
            raise bad_request("transition_delay must be a number of seconds >= 0")
        if not isinstance(options.duplicate_rate, int | float) or not (
            0 <= options.duplicate_rate <= 1
        ):
            raise bad_request("duplicate_rate must be a share between 0 and 1")
        if not isinstance(options.change_delay, int | float) or options.change_delay < 0:
            raise bad_request("change_delay must be a number of seconds >= 0")
        if (
            isinstance(options.change_stops, bool)
            or not isinstance(options.change_stops, int)
            or options.change_stops < 0
        ):
            raise bad_request("change_stops must be a whole number >= 0")
        return options


@dataclass(frozen=True)
class Defaults:
    """What the server was started with; a reset goes back to it."""

    orders: int = 50
    seed: int = 1
    days: float = 30
    options: Options = field(default_factory=Options)
    faults: Faults = field(default_factory=Faults)
    feed: bool = False


class Store:
    def __init__(self, *, account: str, app_key: str, app_token: str, defaults: Defaults):
        self.account = account
        self.app_key = app_key
        self.app_token = app_token
        self.defaults = defaults
        self.lock = threading.RLock()
        self.hooks = HookDispatcher()
        self.faults = FaultInjector(defaults.seed)
        self._call_numbers = itertools.count(1)
        self.reset(orders=defaults.orders, seed=defaults.seed, days=defaults.days)

    # -- lifecycle ---------------------------------------------------------------------------

    def reset(self, *, orders: int, seed: int, days: float | None = None) -> None:
        with self.lock:
            # A fresh store runs on the machine's time again (deadlines kept by the old one go
            # with it).
            clock.reset()
            self.seed = seed
            self.days = self.defaults.days if days is None else days
            self.factory = OrderFactory(seed=seed, account=self.account)
            self.orders: dict[str, Order] = {}
            self.by_sequence: dict[str, Order] = {}
            self.by_transaction: dict[str, Order] = {}
            for order in generate_orders(self.factory, count=orders, days=self.days, now=utcnow()):
                self._add(order)
            self.options = Options(**asdict(self.defaults.options))
            self.random = random.Random(seed)
            self.pending: set[str] = set()
            # Orders with an Order Modifications change waiting for its next step.
            self.changing: set[str] = set()
            self.change_settings = copy.deepcopy(CHANGE_SETTINGS)
            self.hook: HookConfig | None = None
            self.feed: FeedQueue | None = None
            if self.defaults.feed:
                self.feed = self.make_feed(
                    {
                        "filter": {"type": "FromWorkflow"},
                        "queue": {
                            "visibilityTimeoutInSeconds": 240,
                            "MessageRetentionPeriodInSeconds": 345600,
                        },
                    }
                )
                # A feed configured before the store opened: every seeded order's current
                # status waits in it, so a new back office mirrors them at its first drain.
                for order in self.orders.values():
                    self._emit(
                        order,
                        state=order.status,
                        last_state=PREVIOUS_STATUS.get(order.status, ""),
                        last_change=order.created,
                        current_change=order.last_change,
                        status_changed=True,
                    )
            self.calls: deque[dict] = deque(maxlen=CALL_LOG_SIZE)
            self.bindings: dict[str, Any] = {"seller_id": "1", "sku_ids": set()}
            self.suggestions: dict[tuple[str, str], dict] = {}
            self.marketplace_orders: dict[str, dict] = {}
            self.marketplace_numbers = itertools.count(1)
            self.marketplace_factory = OrderFactory(
                seed=seed, account=self.account, stream="marketplace"
            )
            self.faults.configure(Faults.from_dict(self.defaults.faults.as_dict()))
            self.hooks.reset()

    def _add(self, order: Order) -> None:
        self.orders[order.order_id] = order
        self.by_sequence[order.sequence] = order
        self.by_transaction[order.payment["transactionId"]] = order

    def get_order(self, order_id: str) -> Order:
        """An order by id or by `seq{sequence}`; 404 OMS007 otherwise. Caller holds the lock."""
        order = self.orders.get(order_id)
        if order is None and order_id.startswith("seq"):
            order = self.by_sequence.get(order_id[3:])
        if order is None:
            raise order_not_found()
        return order

    def document(self, order: Order) -> dict:
        return order_document(order, account=self.account)

    # -- events ------------------------------------------------------------------------------

    def change_status(self, order: Order, status: str) -> None:
        now = utcnow()
        last_state, last_change = order.status, order.last_change
        order.status = status
        order.last_change = now
        self._emit(
            order,
            state=status,
            last_state=last_state,
            last_change=last_change,
            current_change=now,
            status_changed=True,
        )

    def touch(self, order: Order) -> None:
        """Record a change that kept the status (invoice, tracking, order change)."""
        now = utcnow()
        last_change = order.last_change
        order.last_change = now
        self._emit(
            order,
            state=order.status,
            last_state=order.status,
            last_change=last_change,
            current_change=now,
            status_changed=False,
        )

    def modified(self, order: Order) -> None:
        """An order change is done: like VTEX, a feed event and a hook notification in the
        order's status (the status did not move; the items and value did)."""
        now = utcnow()
        last_change = order.last_change
        order.last_change = now
        self._emit(
            order,
            state=order.status,
            last_state=order.status,
            last_change=last_change,
            current_change=now,
            status_changed=True,
        )

    def _emit(
        self,
        order: Order,
        *,
        state: str,
        last_state: str,
        last_change: datetime,
        current_change: datetime,
        status_changed: bool,
    ) -> None:
        document = None
        targets = []
        for config in (self.feed, self.hook):
            if config is None:
                targets.append(False)
                continue
            event_filter = config.filter if isinstance(config, FeedQueue) else config.event_filter
            if status_changed and event_filter.on_status_change(state):
                targets.append(True)
                continue
            if event_filter.type == "FromOrders":
                document = document or self.document(order)
                targets.append(event_filter.on_document_change(order.order_id, document))
                continue
            targets.append(False)
        to_feed, to_hook = targets
        if to_feed and self.feed is not None:
            item = {
                "eventId": event_id(),
                "domain": "Fulfillment",
                "state": state,
                "lastState": last_state,
                "orderId": order.order_id,
                "lastChange": vtex_datetime(last_change),
                "currentChange": vtex_datetime(current_change),
            }
            now = monotonic()
            self.feed.push(item, now)
            # At-least-once delivery: some events arrive twice (same eventId, own handle).
            if self.options.duplicate_rate and self.random.random() < self.options.duplicate_rate:
                self.feed.push(dict(item), now)
        if to_hook and self.hook is not None:
            self.hooks.notify(
                self.hook,
                {
                    "Domain": "Fulfillment",
                    "OrderId": order.order_id,
                    "State": state,
                    "LastState": last_state,
                    "LastChange": vtex_datetime(last_change),
                    "CurrentChange": vtex_datetime(current_change),
                    "Origin": {"Account": self.account, "Key": self.app_key},
                },
            )

    # -- transient statuses ------------------------------------------------------------------

    def start_transient(self, order: Order, transient: str) -> None:
        self.change_status(order, transient)
        target = TRANSIENT_TARGET[transient]
        if self.options.transition_delay <= 0:
            self._finish(order, target)
            return
        order.pending = (target, monotonic() + self.options.transition_delay)
        self.pending.add(order.order_id)

    def _finish(self, order: Order, target: str) -> None:
        order.pending = None
        self.pending.discard(order.order_id)
        if target == "invoiced":
            order.invoiced_date = utcnow()
        self.change_status(order, target)

    def advance(self) -> None:
        """Finish the transient statuses whose delay is over (the order-change steps:
        ``sandbox.modifications.advance``)."""
        if not self.pending:
            return
        with self.lock:
            now = monotonic()
            for order_id in sorted(self.pending):
                order = self.orders[order_id]
                if order.pending and order.pending[1] <= now:
                    self._finish(order, order.pending[0])

    def force_status(self, order: Order, status: str) -> None:
        order.pending = None
        self.pending.discard(order.order_id)
        self.change_status(order, status)

    # -- configuration -----------------------------------------------------------------------

    def make_feed(self, body: dict) -> FeedQueue:
        queue = body.get("queue") or {}
        visibility = queue.get("visibilityTimeoutInSeconds", 240)
        retention = queue.get("MessageRetentionPeriodInSeconds", 345600)
        for name, value in (
            ("visibilityTimeoutInSeconds", visibility),
            ("MessageRetentionPeriodInSeconds", retention),
        ):
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise bad_request(f"queue.{name} must be a number of seconds")
        return FeedQueue(
            event_filter=EventFilter(body.get("filter")),
            visibility_timeout=visibility,
            retention=retention,
            account=self.account,
            app_key=self.app_key,
        )

    # -- orders created by the control API ---------------------------------------------------

    def create_orders(
        self, *, count: int, status: str, created_from: datetime | None, created_to: datetime | None
    ) -> list[str]:
        with self.lock:
            now = utcnow()
            end = created_to or now
            start = created_from or end
            if start > end:
                raise bad_request("created_from is after created_to")
            moments = spread_creation_dates(self.factory.rng, count, start, end)
            if start == end:
                moments = [start + timedelta(microseconds=i) for i in range(count)]
            ids = []
            for created in moments:
                order = self.factory.make(created=created, status=status, now=max(now, created))
                self._add(order)
                previous = PREVIOUS_STATUS.get(status, "")
                self._emit(
                    order,
                    state=status,
                    last_state=previous,
                    last_change=order.created,
                    current_change=order.last_change,
                    status_changed=True,
                )
                ids.append(order.order_id)
            return ids

    # -- call log ----------------------------------------------------------------------------

    def record_call(self, *, method: str, path: str, query: str, body, status: int | None) -> None:
        with self.lock:
            self.calls.append(
                {
                    "seq": next(self._call_numbers),
                    "method": method,
                    "path": path,
                    "query": query,
                    "body": body,
                    "status": status,
                    "at": vtex_datetime(utcnow()),
                }
            )
