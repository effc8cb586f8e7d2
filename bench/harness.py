"""What every benchmark shares: the sandbox, the database, measuring, checking, formatting.

Nothing here imports a Django model at module level: `bench.__main__` imports this module
before `django.setup()`.
"""

from __future__ import annotations

import gc
import math
import os
import re
import secrets
import subprocess
import sys
import time
import tracemalloc
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.control import SandboxControl
from sandbox.generator import STATUS_WEIGHTS
from sandbox.server import SandboxServer

ACCOUNT = "benchstore"
# Size of the separate, smaller run whose Python allocations tracemalloc follows.
MEMORY_RUN_SHARE = 0.1

# A figure: (what, value) as printed; a benchmark returns them in reading order.
Figures = list[tuple[str, str]]


class BenchFailure(Exception):
    """A correctness check failed: the run's figures mean nothing."""


def require(condition: bool, message: str) -> None:
    if not condition:
        raise BenchFailure(message)


# --- Sandbox -----------------------------------------------------------------------------------


@dataclass
class Bench:
    """A sandbox store the back office talks to, and the size factor of this run."""

    control: SandboxControl
    scale: float
    # ``--orders N``: the admin benchmark's mirror, filled by SQL (bench.admin_fill).
    orders: int | None = None

    def scaled(self, count: float) -> int:
        return max(1, round(count * self.scale))

    def fresh_store(self, *, orders: int = 0, days: float = 30) -> None:
        """A new store (call log, faults, options and feed cleared) and an empty mirror."""
        from vtex import rate_limit_pause

        self.control.reset(orders=orders, seed=1, days=days)
        rate_limit_pause.clear()
        mirror_clear()


def sandbox_in_process(*, scale: float) -> tuple[SandboxServer, Bench]:
    """The sandbox in a thread of this process, on a free loopback port, with credentials
    of this run only."""
    app_key, app_token = _credentials()
    server = SandboxServer(
        host="127.0.0.1", port=0, orders=0, account=ACCOUNT, app_key=app_key, app_token=app_token
    )
    server.start()
    control = SandboxControl(server.base_url, app_key=app_key, app_token=app_token)
    return server, Bench(control=control, scale=scale)


@contextmanager
def sandbox_in_child_process(bench: Bench) -> Iterator[Bench]:
    """A second sandbox, in a child process, with the VTEX settings pointed at it.

    For the runs tracemalloc follows, which counts the allocations of every thread: in
    this process the sandbox's Werkzeug server would put its own into the peak (a 10 MB
    read buffer for each connection it closes, several at once), dwarfing the back office's.
    """
    from django.test import override_settings

    app_key, app_token = _credentials()
    command = [sys.executable, "-m", "sandbox", "serve", "--port", "0", "--orders", "0"]
    command += ["--account", ACCOUNT, "--app-key", app_key, "--app-token", app_token]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        # "VTEX sandbox 'benchstore' serving 0 orders on http://127.0.0.1:PORT (control...)"
        started = process.stdout.readline() if process.stdout else ""
        found = re.search(r" on (http://\S+) ", started)
        require(found is not None, f"the sandbox's child process did not start: {started!r}")
        base_url = found.group(1)
        control = SandboxControl(base_url, app_key=app_key, app_token=app_token)
        with override_settings(
            VTEX_BASE_URL=base_url, VTEX_APP_KEY=app_key, VTEX_APP_TOKEN=app_token
        ):
            yield Bench(control=control, scale=bench.scale)
        control.session.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def _credentials() -> tuple[str, str]:
    return f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(24)


def settings_environment(bench: Bench) -> dict[str, str]:
    """Environment for `backoffice.settings`, read at `django.setup()`."""
    return {
        "DJANGO_SETTINGS_MODULE": "backoffice.settings",
        "VTEX_ACCOUNT_NAME": ACCOUNT,
        "VTEX_APP_KEY": bench.control.app_key or "",
        "VTEX_APP_TOKEN": bench.control.app_token or "",
        "VTEX_BASE_URL": bench.control.base_url,
        # Measured as deployed: DEBUG keeps every SQL statement in memory.
        "DJANGO_DEBUG": "false",
        # The host django.test.Client's requests to the admin name.
        "DJANGO_ALLOWED_HOSTS": "testserver",
        # The sandbox limits nothing unless a run configures it (the feed benchmark's
        # rate-limited drain does, with the governor): the flows run at their own speed.
        "VTEX_RATE_LIMITS": "orders_read=off,catalog=off",
        # Retries of the outbox wait milliseconds instead of VTEX-sized seconds (10 s, 15 min).
        "VTEX_COMMAND_BACKOFF_SECONDS": "0.01",
        "VTEX_COMMAND_BACKOFF_MAX_SECONDS": "0.05",
    }


def create_orders_in_status_mix(control: SandboxControl, count: int) -> list[str]:
    """``count`` new orders in the store's usual status mix (each emits a feed event)."""
    total = sum(STATUS_WEIGHTS.values())
    shares = {status: count * weight // total for status, weight in STATUS_WEIGHTS.items()}
    shares["ready-for-handling"] += count - sum(shares.values())
    order_ids: list[str] = []
    for status, share in shares.items():
        if share:
            order_ids += control.create_orders(share, status=status)
    return order_ids


# --- Database ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchDatabase:
    description: str
    # The configured database's name, which Django's settings get back when ours is dropped.
    configured_name: str
    # Named by --keep-db: left in place at the end.
    kept: bool = False


def database_create(directory: Path, *, kept: str | None = None) -> BenchDatabase:
    """Create and migrate this run's own database (never the configured one).

    Django's test-database machinery does the work: a file in ``directory`` for SQLite,
    else a database ``bench_<pid>`` on the server of DATABASE_URL, which `database_drop`
    drops. With ``kept`` (PostgreSQL), the database ``bench_<kept>`` instead: reused (and
    migrated) when it exists, never dropped, so a million-order fill serves many runs.
    """
    from django.db import connection

    if connection.vendor == "sqlite":
        if kept:
            raise BenchFailure("--keep-db needs PostgreSQL (DATABASE_URL=postgres://...)")
        name = str(directory / "bench.sqlite3")
        where = "temporary file"
    else:
        name = f"bench_{kept}" if kept else f"bench_{os.getpid()}"
        where = f"database {name} on {connection.settings_dict['HOST'] or 'localhost'}"
        if kept:
            where += ", kept"
    configured_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = name
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=bool(kept)
    )
    version = ".".join(str(part) for part in connection.get_database_version())
    return BenchDatabase(
        description=f"{connection.display_name} {version} ({where})",
        configured_name=configured_name,
        kept=bool(kept),
    )


def database_drop(database: BenchDatabase) -> None:
    from django.db import connection

    connection.creation.destroy_test_db(
        database.configured_name, verbosity=0, keepdb=database.kept
    )


def mirror_clear() -> None:
    """Empty every table of the orders app (orders, items, invoices, events, commands...)."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection, transaction

    tables = [
        model._meta.db_table
        for model in apps.get_app_config("orders").get_models(include_auto_created=True)
    ]
    statements = connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# --- Measuring -----------------------------------------------------------------------------------


@dataclass
class Measurement:
    seconds: float = 0.0
    # Statements this thread sent to the database (the services write from one thread;
    # the threads that read from VTEX do not touch the database).
    queries: int = 0
    python_peak_bytes: int | None = None
    rss_growth_bytes: int | None = None


class QueryCounter:
    """A `connection.execute_wrapper` that counts statements (executemany counts once)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def queries_counted() -> Iterator[QueryCounter]:
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


@contextmanager
def measured(*, trace_python: bool = False) -> Iterator[Measurement]:
    """Wall time, SQL statements and the rise of the process's peak resident memory over
    its level at the start; with ``trace_python``, also the peak of Python allocations
    (tracemalloc, which slows the block down a few times: its wall time is no figure)."""
    measurement = Measurement()
    gc.collect()
    rss_before = _rss_bytes("VmRSS")
    _rss_peak_reset()
    if trace_python:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        with queries_counted() as counter:
            yield measurement
    finally:
        measurement.seconds = time.perf_counter() - started
        measurement.queries = counter.count
        if trace_python:
            measurement.python_peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        peak = _rss_bytes("VmHWM")
        if peak is not None and rss_before is not None:
            measurement.rss_growth_bytes = max(0, peak - rss_before)


def _rss_bytes(field_name: str) -> int | None:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, on Linux."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1]) * 1024
    return None


def _rss_peak_reset() -> None:
    """Make VmHWM start again from the current RSS (Linux: write 5 to clear_refs)."""
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def densest_window(moments: list[float], window: float) -> int:
    """The most moments any half-open window of ``window`` seconds holds (how close a run
    came to a per-window rate limit)."""
    held: deque[float] = deque()
    densest = 0
    for moment in sorted(moments):
        held.append(moment)
        while moment - held[0] >= window:
            held.popleft()
        densest = max(densest, len(held))
    return densest


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile (share 0.5 is the median of an odd count)."""
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(len(ordered) * share)) - 1]


# --- Formatting ----------------------------------------------------------------------------------


def count(value: float) -> str:
    return f"{value:,.0f}"


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def rate(amount: int, elapsed: float) -> str:
    return f"{amount / elapsed:,.1f}" if elapsed > 0 else "n/a"


def mebibytes(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 2**20:.1f} MiB"


def tally(values: dict[Any, int]) -> str:
    """``{"succeeded": 480, "failed": 20}`` as ``failed 20, succeeded 480``."""
    if not values:
        return "none"
    return ", ".join(f"{key} {count(amount)}" for key, amount in sorted(values.items(), key=str))
