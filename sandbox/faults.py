"""Injected failures on VTEX paths: throttling, server errors, latency, dropped connections.

Each request in scope (path prefixes and methods; empty means all) draws once:
a share is dropped (socket closed, no HTTP response), a share gets 429 with
`Retry-After`, a share 500, a share 503. `rate_limit_per_minute` answers 429 once
that many in-scope requests were served in the last 60 s (`rate_limit_window_seconds`:
another window, so a test reaches the limit in seconds). `latency_ms` delays
every in-scope request. With `fail_after_apply` the 500/503/drop happen after the
request took effect, like a VTEX write whose answer got lost.
"""

from __future__ import annotations

import math
import random
import threading
from collections import deque
from dataclasses import asdict, dataclass, field

from sandbox.errors import bad_request

_RATES = ("rate_429", "rate_500", "rate_503", "drop_rate")


@dataclass
class Faults:
    rate_429: float = 0.0
    retry_after: float = 1
    rate_500: float = 0.0
    rate_503: float = 0.0
    latency_ms: float = 0.0
    drop_rate: float = 0.0
    rate_limit_per_minute: int = 0
    rate_limit_window_seconds: float = 60.0
    paths: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    fail_after_apply: bool = False

    @classmethod
    def from_dict(cls, data: dict) -> Faults:
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise bad_request(f"Unknown fault settings: {', '.join(sorted(unknown))}")
        faults = cls(**data)
        for name in _RATES:
            value = getattr(faults, name)
            if not isinstance(value, int | float) or not 0 <= value <= 1:
                raise bad_request(f"{name} must be a share between 0 and 1")
        if sum(getattr(faults, name) for name in _RATES) > 1:
            raise bad_request("The fault shares add up to more than 1")
        numbers = ("retry_after", "latency_ms", "rate_limit_per_minute")
        window = faults.rate_limit_window_seconds
        if not isinstance(window, int | float) or isinstance(window, bool) or not window > 0:
            raise bad_request("rate_limit_window_seconds must be > 0")
        if any(
            not isinstance(getattr(faults, n), int | float) or getattr(faults, n) < 0
            for n in numbers
        ):
            raise bad_request("retry_after, latency_ms and rate_limit_per_minute must be >= 0")
        if not isinstance(faults.paths, list) or not isinstance(faults.methods, list):
            raise bad_request("paths and methods must be lists")
        faults.methods = [m.upper() for m in faults.methods]
        return faults

    def as_dict(self) -> dict:
        return asdict(self)

    def in_scope(self, method: str, path: str) -> bool:
        if self.methods and method.upper() not in self.methods:
            return False
        return not self.paths or any(path.startswith(prefix) for prefix in self.paths)


@dataclass
class Decision:
    latency: float = 0.0
    kind: str | None = None  # "429", "500", "503", "drop"
    retry_after: float = 0.0
    after_apply: bool = False


def format_retry_after(seconds: float) -> str:
    """Whole seconds as HTTP wants; fractions are kept so tests can use short pauses."""
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


class FaultInjector:
    def __init__(self, seed: int):
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.faults = Faults()
        self._served: deque[float] = deque()

    def configure(self, faults: Faults) -> None:
        with self._lock:
            self.faults = faults
            self._served.clear()

    def decide(self, method: str, path: str, now: float) -> Decision:
        with self._lock:
            faults = self.faults
            if not faults.in_scope(method, path):
                return Decision()
            decision = Decision(latency=faults.latency_ms / 1000)
            draw = self._rng.random()
            threshold = 0.0
            for name, kind in (
                ("drop_rate", "drop"),
                ("rate_429", "429"),
                ("rate_500", "500"),
                ("rate_503", "503"),
            ):
                threshold += getattr(faults, name)
                if draw < threshold:
                    decision.kind = kind
                    break
            if decision.kind == "429":
                decision.retry_after = faults.retry_after
                return decision
            if faults.rate_limit_per_minute:
                window = faults.rate_limit_window_seconds
                while self._served and now - self._served[0] >= window:
                    self._served.popleft()
                if len(self._served) >= faults.rate_limit_per_minute:
                    wait = math.ceil(window - (now - self._served[0]))
                    return Decision(latency=decision.latency, kind="429", retry_after=max(wait, 1))
                self._served.append(now)
            decision.after_apply = faults.fail_after_apply and decision.kind is not None
            return decision
