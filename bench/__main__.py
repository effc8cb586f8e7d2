"""`python -m bench [--only feed,backfill,admin,...,exports] [--scale 0.2] [--orders N]`: run
the benchmarks against the in-process sandbox on this run's own database and print their
figures (``--orders 1000000 --only admin``: the admin at a million orders, PostgreSQL).

The database is a temporary SQLite file, or, when DATABASE_URL names a server, a database
``bench_<pid>`` created there and dropped at the end (``--keep-db NAME``: ``bench_NAME``,
reused and kept, for iterations on a million-order fill). Exits 1 when a correctness check
fails (that benchmark's figures are then not printed).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shlex
import sys
import tempfile
import traceback
import warnings
from pathlib import Path

from bench.harness import (
    Bench,
    BenchFailure,
    Figures,
    database_create,
    database_drop,
    sandbox_in_process,
    settings_environment,
)
from sandbox.server import SandboxServer

# Run order matters once: the admin benchmark reads the mirror the backfill left, when
# it holds the number of orders it wants (else it loads one itself).
BENCHMARKS = {
    "feed": ("bench.feed", "feed import (feed_drain)"),
    "backfill": ("bench.backfill", "backfill (order_backfill)"),
    "admin": ("bench.admin_read", "admin read side (django.test.Client)"),
    "outbox": ("bench.outbox", "outbox (invoice_submit + delivery)"),
    "simulation": ("bench.simulation", "seller simulation (gunicorn gthread, 50 clients)"),
    "imports": ("bench.imports", "invoice file import (imports batch + delivery)"),
    "exports": ("bench.exports", "order list export (streamed CSV and XLSX)"),
}


def main(argv: list[str]) -> int:
    options = _arguments(argv)
    server, bench = sandbox_in_process(scale=options.scale)
    bench.orders = options.orders
    os.environ.update(settings_environment(bench))
    # Quiet unless asked: the services log every injected fault as a warning.
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    # Deployments fill STATIC_ROOT with collectstatic; the admin pages render without it.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

    import django

    django.setup()
    failed: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as directory:
            database = database_create(Path(directory), kept=options.keep_db)
            try:
                _header(argv, server, database.description, options.scale)
                for name in options.only:
                    module_name, title = BENCHMARKS[name]
                    if not _run(name, title, module_name, bench):
                        failed.append(name)
            finally:
                database_drop(database)
    finally:
        bench.control.session.close()
        server.stop()
    if failed:
        print(f"\nFAILED: {', '.join(failed)}")
        return 1
    print("\nAll checks passed.")
    return 0


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help=f"comma-separated subset of {','.join(BENCHMARKS)} (default: all)",
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply every size (0.2 for a quick run)"
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=None,
        help="admin benchmark at this many orders over two years, filled by SQL "
        "(PostgreSQL; 1000000 takes minutes)",
    )
    parser.add_argument(
        "--keep-db",
        metavar="NAME",
        default=None,
        help="PostgreSQL: run on database bench_NAME, reused (migrated) if it exists and "
        "kept at the end; with --orders N the fill is skipped when it holds N orders",
    )
    options = parser.parse_args(argv)
    wanted = [name.strip() for name in options.only.split(",") if name.strip()]
    unknown = sorted(set(wanted) - set(BENCHMARKS))
    if unknown or not wanted:
        parser.error(f"--only takes names among {', '.join(BENCHMARKS)}; got {options.only!r}")
    if options.orders is not None and options.orders < 1:
        parser.error("--orders must be positive")
    if options.scale <= 0:
        parser.error("--scale must be positive")
    options.only = [name for name in BENCHMARKS if name in wanted]
    return options


def _header(argv: list[str], server: SandboxServer, database: str, scale: float) -> None:
    import django

    executable = sys.executable
    if executable.startswith(os.getcwd()):
        executable = os.path.relpath(executable)
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"command:  {shlex.join([executable, '-m', 'bench', *argv])}")
    print(f"machine:  {platform.platform()}; {cpus} CPUs ({usable} usable); load {load}")
    print(
        f"software: {platform.python_implementation()} {platform.python_version()}, "
        f"Django {django.get_version()}"
    )
    print(f"database: {database}")
    print(
        f"sandbox:  in this process at {server.base_url} (its CPU time is part of the wall "
        "times); the tracemalloc runs use one in a child process"
    )
    print(f"scale:    {scale:g}")


def _run(name: str, title: str, module_name: str, bench: Bench) -> bool:
    print(f"\n== {name}: {title}")
    sys.stdout.flush()
    try:
        figures: Figures = importlib.import_module(module_name).run(bench)
    except BenchFailure as failure:
        print(f"CHECK FAILED: {failure}")
        return False
    except Exception:
        traceback.print_exc()
        print("ERROR: the benchmark crashed")
        return False
    width = max(len(label) for label, _ in figures)
    for label, value in figures:
        print(f"{label:<{width}}  {value}")
    return True


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
