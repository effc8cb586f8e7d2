"""The rate governor: every process together stays below VTEX's published limits.

VTEX limits requests per account and per resource family (GetOrder: 6,000 a minute), and an
account that keeps drawing 429s gets its Admin made unavailable. The governor is the first
line: before each request the client asks it for a slot in the request's family, and it
answers how long to wait. The 429 pause (`vtex.process.rate_limit_pause`) stays the second.

The schedule is GCRA, a token bucket kept as one number per family (the theoretical arrival
time): a family limited to ``L`` requests per ``W`` seconds spaces its requests
``W / (L * headroom)`` apart and lets ``burst`` go at once, and ``burst + L * headroom <= L``,
so no sliding window of ``W`` seconds ever holds more than ``L`` requests; the rest of the
headroom absorbs the network's jitter between asking and arriving. A slot is reserved when
asked for (the caller sleeps, then sends): waiting callers are served in order.

Stores: `RedisStore` keeps the schedule in Redis (a Lua script reads Redis's clock, refills
and takes atomically), shared by every process of every host; `LocalStore` keeps it in this
process. When Redis does not answer, the governor falls back to a local schedule of the limit
divided by the number of processes it was told share the account, and says so in the log.

Plain Python: never imports Django (``core.vtex`` builds the governor from settings).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)

# Resource families. Each request belongs to one (``request_family``); each family has its own
# schedule. VTEX publishes numbers for the first two only (see docs/vtex-client-interface.md).
ORDERS_READ = "orders_read"  # GetOrder and ListOrders (OMS GETs): 6,000 a minute per account
CATALOG = "catalog"  # Catalog and SKU bindings: 45,000 a minute per account, 15,000 per endpoint
FEED = "feed"  # feed and hook reads, commits and configuration
ORDER_WRITE = "order_write"  # start handling, invoice, tracking, cancel, changes
PAYMENTS = "payments"
SUGGESTIONS = "suggestions"
OTHER = "other"
FAMILIES = (ORDERS_READ, CATALOG, FEED, ORDER_WRITE, PAYMENTS, SUGGESTIONS, OTHER)

# Requests a minute VTEX publishes per account. Catalog: the per-endpoint figure, the lower one.
PUBLISHED_PER_MINUTE: dict[str, int] = {ORDERS_READ: 6000, CATALOG: 15000}

# Share of the limit the schedule uses; the rest is jitter allowance.
DEFAULT_HEADROOM = 0.97
# Share of the limit that may go at once after a quiet spell.
DEFAULT_BURST_SHARE = 0.01


@dataclass(frozen=True)
class RateLimit:
    requests: int
    per_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.requests < 1 or self.per_seconds <= 0:
            raise ValueError(f"a rate limit needs requests >= 1 and seconds > 0, not {self}")

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """``"6000"`` (a minute) or ``"6000/60"`` (requests/seconds)."""
        requests, _, seconds = str(text).strip().partition("/")
        try:
            return cls(int(requests), float(seconds) if seconds else 60.0)
        except ValueError:
            raise ValueError(f"not a rate limit (requests or requests/seconds): {text!r}") from None


def default_limits() -> dict[str, RateLimit]:
    return {family: RateLimit(n) for family, n in PUBLISHED_PER_MINUTE.items()}


def parse_limits(text: str) -> dict[str, RateLimit | None]:
    """``"orders_read=6000,catalog=15000/60,feed=off"``: limits by family (``off``: none)."""
    limits: dict[str, RateLimit | None] = {}
    for part in filter(None, (p.strip() for p in str(text).split(","))):
        family, sep, value = part.partition("=")
        family = family.strip()
        if not sep or family not in FAMILIES:
            raise ValueError(f"{part!r}: expected family=limit, family among {', '.join(FAMILIES)}")
        off = value.strip().lower() in ("off", "none", "0")
        limits[family] = None if off else RateLimit.parse(value)
    return limits


def request_family(method: str, path: str) -> str:
    """The resource family of a request, by its method and path."""
    if path.startswith("/api/oms/pvt/orders"):
        if method == "GET" and not path.endswith("/payment-transaction"):
            return ORDERS_READ
        return ORDER_WRITE
    if path.startswith("/api/order-system/orders"):
        return ORDER_WRITE
    if path.startswith(("/api/orders/feed", "/api/orders/hook")):
        return FEED
    if path.startswith(("/api/catalog", "/api/sku-binding", "/api/notificator")):
        return CATALOG
    if path.startswith("/api/pvt/transactions"):
        return PAYMENTS
    if path.startswith("/suggestions") or "/suggestions/" in path:
        return SUGGESTIONS
    if path.startswith("/pvt/orders") or "/pvt/orders/" in path:
        return ORDER_WRITE  # a marketplace's order writes
    return OTHER


class Store(Protocol):
    def reserve(self, key: str, interval: float, tolerance: float, max_wait: float) -> float:
        """Reserve the next slot of ``key``'s schedule; return the seconds until it (0: now).

        When the slot is more than ``max_wait`` away nothing is reserved and ``-wait`` is
        returned (negative: not reserved).
        """


class LocalStore:
    """The schedule in this process (tests, the sandbox, and the fallback without Redis)."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._arrival: dict[str, float] = {}

    def reserve(self, key: str, interval: float, tolerance: float, max_wait: float) -> float:
        with self._lock:
            now = self._clock()
            arrival = max(self._arrival.get(key, now), now)
            wait = max(0.0, arrival - tolerance - now)
            if wait > max_wait:
                return -wait
            self._arrival[key] = arrival + interval
            return wait

    def _after_fork(self) -> None:
        self._lock = threading.Lock()


# KEYS[1] the family's schedule; ARGV interval, tolerance, max_wait (seconds). Redis's own
# clock, so the hosts' clocks need not agree. Answers the wait as a string (a Lua number
# would come back truncated to an integer), "-wait" when nothing was reserved.
GCRA_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local arrival = tonumber(redis.call('GET', KEYS[1]) or '0')
if arrival < now then arrival = now end
local wait = arrival - tolerance - now
if wait < 0 then wait = 0 end
if wait > max_wait then return tostring(-wait) end
arrival = arrival + interval
redis.call('SET', KEYS[1], string.format('%.6f', arrival), 'PX',
    math.ceil((arrival - now + 1) * 1000))
return tostring(wait)
"""


class RedisStore:
    """The schedule in Redis, shared by every process that names the same key."""

    def __init__(self, url: str, *, timeout: float = 0.5) -> None:
        import redis  # only deployments with Redis need it loaded

        self._redis = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._script = self._redis.register_script(GCRA_SCRIPT)
        self.errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)

    def reserve(self, key: str, interval: float, tolerance: float, max_wait: float) -> float:
        answer = self._script(keys=[key], args=[repr(interval), repr(tolerance), repr(max_wait)])
        return float(answer)


class RateGovernor:
    """Waits before each request until its family's schedule has a slot for it.

    ``limits`` maps a family to its `RateLimit` (a family not in it, or None, is not
    governed). ``scope`` names the account: processes share a schedule when they share the
    store and the scope. ``processes`` is how many processes share the account: each takes
    that share of the limit when the shared store fails (or when the store is local and
    ``divide_local`` is set).
    """

    def __init__(
        self,
        limits: Mapping[str, RateLimit | None],
        *,
        store: Store | None = None,
        scope: str = "",
        headroom: float = DEFAULT_HEADROOM,
        burst_share: float = DEFAULT_BURST_SHARE,
        processes: int = 1,
        divide_local: bool = False,
        sleep=time.sleep,
    ) -> None:
        if not 0 < headroom <= 1:
            raise ValueError("headroom is a share of the limit, within (0, 1]")
        self.limits = {family: limit for family, limit in limits.items() if limit is not None}
        self.scope = scope
        self.headroom = headroom
        self.burst_share = burst_share
        self.processes = max(1, processes)
        self.store: Store = store or LocalStore()
        self._shared = not isinstance(self.store, LocalStore)
        self._divide_local = divide_local and not self._shared
        self._fallback = LocalStore()
        self._fallback_warned_at = -math.inf
        self._sleep = sleep

    def schedule(self, family: str, *, share: int = 1) -> tuple[float, float]:
        """(interval, tolerance) of ``family``'s schedule when ``share`` processes split it."""
        limit = self.limits[family]
        requests = limit.requests / share
        # burst + requests * headroom <= requests: no sliding window holds more than the limit.
        burst = max(
            1,
            min(
                math.floor(requests * self.burst_share),
                math.floor(requests * (1 - self.headroom) / 2),
            ),
        )
        interval = limit.per_seconds / (requests * self.headroom)
        return interval, (burst - 1) * interval

    def wait(self, family: str, *, max_wait: float = math.inf) -> float:
        """Sleep until ``family`` may send one request; return the seconds slept.

        Raises `GovernorBusy` (nothing reserved) when that would take more than ``max_wait``.
        """
        if family not in self.limits:
            return 0.0
        key = f"vtex:rate:{self.scope}:{family}"
        if self._shared:
            interval, tolerance = self.schedule(family)
            try:
                wait = self.store.reserve(key, interval, tolerance, max_wait)
            except self.store.errors as error:  # type: ignore[attr-defined]
                wait = self._local_reserve(key, family, max_wait, error)
        else:
            share = self.processes if self._divide_local else 1
            interval, tolerance = self.schedule(family, share=share)
            wait = self.store.reserve(key, interval, tolerance, max_wait)
        if wait < 0:
            raise GovernorBusy(family, -wait)
        if wait > 0:
            self._sleep(wait)
        return wait

    def _local_reserve(self, key: str, family: str, max_wait: float, error: BaseException) -> float:
        now = time.monotonic()
        if now - self._fallback_warned_at > 60:
            self._fallback_warned_at = now
            logger.warning(
                "vtex rate governor: shared store unavailable (%s); each process keeps 1/%d "
                "of the limits until it answers",
                type(error).__name__,
                self.processes,
            )
        interval, tolerance = self.schedule(family, share=self.processes)
        return self._fallback.reserve(key, interval, tolerance, max_wait)


class GovernorBusy(Exception):
    """The family's next slot is further away than the caller may wait."""

    def __init__(self, family: str, wait: float) -> None:
        super().__init__(f"{family}: next slot in {wait:.1f}s")
        self.family = family
        self.wait = wait
