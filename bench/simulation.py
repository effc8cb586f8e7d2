"""Fulfillment simulation: the seller endpoint VTEX calls for every cart change (and waits
2.5 s for at most), served by gunicorn as deployed (docs/deployment.md: gthread workers) to 50
concurrent clients posting a 2-item cart with a postal code; p50/p99 latency and requests per
second. The floor, measured paired in the same run: a static 200 from a gunicorn of the same
worker model, the two servers loaded in alternating rounds so that the machine's other load
weighs on both alike. Beside it the same view called in process (Django and the database
without HTTP), with its SQL counted."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection
from django.test import RequestFactory

from bench.harness import Bench, Figures, count, percentile, queries_counted, require

CLIENTS = 50
REQUESTS = 4000
WARM_UP = 200
# Alternating rounds of the floor and the view (each round a share of the requests).
ROUNDS = 8
# gunicorn as docs/deployment.md sizes it for the seller endpoints: two worker processes per
# core, two threads each, so that a request's waits (socket, database) overlap another's work.
# Measured on this 2-core machine at 50 clients against 2 sync workers, 2 x 4 and 4 x 2 threads
# (docs/deployment.md).
WORKERS = 4
THREADS = 2
WORKER_CLASS = "gthread"
TARGET_P99_MS = 40.0
TARGET_FLOOR_RATIO = 1.5
SKUS = 2000
PATH = "/seller/pvt/orderForms/simulation"
CART = {
    "items": [
        {"id": "SKU-00017", "quantity": 1, "seller": "1"},
        {"id": "SKU-01234", "quantity": 2, "seller": "1"},
    ],
    "postalCode": "01311-000",
    "country": "BRA",
}
APP_KEY = "bench-seller-appkey"
APP_TOKEN = "bench-seller-apptoken"
HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "X-VTEX-API-AppKey": APP_KEY,
    "X-VTEX-API-AppToken": APP_TOKEN,
}
STATIC_APP = """
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]
"""


def run(bench: Bench) -> Figures:
    _catalog_load()
    body = json.dumps(CART).encode()
    requests = max(200, round(REQUESTS * bench.scale))
    in_process = _in_process(body, requests=max(100, requests // 10))
    static, served = Served(), Served()
    with tempfile.TemporaryDirectory(prefix="bench-static-") as directory:
        Path(directory, "bench_static_app.py").write_text(STATIC_APP)
        with (
            _gunicorn("bench_static_app:application", pythonpath=directory) as static_port,
            _gunicorn("backoffice.wsgi:application") as port,
        ):
            _load(static_port, "/", body, requests=WARM_UP, into=Served())
            _load(port, PATH, body, requests=WARM_UP, into=Served())
            share = max(1, requests // ROUNDS)
            for _ in range(ROUNDS):
                _load(static_port, "/", body, requests=share, into=static)
                _load(port, PATH, body, requests=share, into=served)
    require(static.failures == 0, f"{static.failures} static requests did not answer 200")
    require(served.failures == 0, f"{served.failures} simulations did not answer 200")
    answer = json.loads(served.sample)
    require(
        [item["quantity"] for item in answer["items"]] == [1, 2]
        and all(info["slas"] for info in answer["logisticsInfo"]),
        f"unexpected simulation answer: {served.sample[:300]!r}",
    )
    p99 = percentile(served.latencies, 0.99)
    floor_p99 = percentile(static.latencies, 0.99)
    target = min(TARGET_P99_MS / 1000, TARGET_FLOOR_RATIO * floor_p99)
    return [
        ("cart", f"2 items, postal code {CART['postalCode']}, catalog of {count(SKUS)} SKUs"),
        (
            "load",
            f"{CLIENTS} concurrent clients, {count(share * ROUNDS)} requests to each server in "
            f"{ROUNDS} alternating rounds (+{WARM_UP} warm-up), gunicorn --workers {WORKERS} "
            f"--threads {THREADS} ({WORKER_CLASS})",
        ),
        ("simulation p50", _ms(percentile(served.latencies, 0.5))),
        (
            "simulation p99",
            f"{_ms(p99)}  (target <= {TARGET_FLOOR_RATIO}x the floor's p99 and <= "
            f"{TARGET_P99_MS:.0f} ms, here {_ms(target)}: "
            f"{'met' if p99 <= target else 'MISSED'}; {p99 / floor_p99:.2f}x the floor)",
        ),
        ("simulation requests/s", f"{served.rate:,.0f}"),
        ("floor: static 200, same gunicorn p50", _ms(percentile(static.latencies, 0.5))),
        ("floor: static 200, same gunicorn p99", _ms(floor_p99)),
        ("floor: static 200 requests/s", f"{static.rate:,.0f}"),
        ("in process (view, no HTTP) p50", _ms(percentile(in_process.latencies, 0.5))),
        ("in process (view, no HTTP) p99", _ms(percentile(in_process.latencies, 0.99))),
        ("SQL per simulation", str(in_process.queries)),
    ]


def _ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def _catalog_load() -> None:
    from catalog.models import ShippingRule, Sku

    Sku.objects.all().delete()
    ShippingRule.objects.all().delete()
    Sku.objects.bulk_create(
        Sku(
            sku_id=f"SKU-{number:05d}",
            name=f"Produto {number}",
            product_name=f"Produto {number}",
            price=1990 + number,
            list_price=2990 + number,
            stock=100,
        )
        for number in range(SKUS)
    )
    ShippingRule.objects.bulk_create(
        [
            ShippingRule(name="Normal", is_default=True, price=1590, shipping_estimate="7bd"),
            ShippingRule(
                name="Normal",
                postal_code_from="01000000",
                postal_code_to="19999999",
                price=990,
                shipping_estimate="4bd",
            ),
            ShippingRule(
                name="Expressa",
                postal_code_from="01000000",
                postal_code_to="05999999",
                price=2490,
                shipping_estimate="1bd",
            ),
        ]
    )


class Served:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.failures = 0
        self.sample = b""
        self.queries = 0
        self.busy = 0.0  # seconds spent loading this server, over every round

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.busy if self.busy else 0.0


def _in_process(body: bytes, *, requests: int) -> Served:
    from catalog.seller.views import simulation

    settings.SELLER_APP_KEY, settings.SELLER_APP_TOKEN = APP_KEY, APP_TOKEN
    factory = RequestFactory()
    headers = {key: value for key, value in HEADERS.items() if key != "Content-Type"}
    served = Served()

    def call() -> None:
        request = factory.post(PATH, body, content_type="application/json", headers=headers)
        response = simulation(request)
        require(response.status_code == 200, f"in process: {response.status_code}")

    for _ in range(20):
        call()
    with queries_counted() as counter:
        call()
    served.queries = counter.count
    require(served.queries <= 2, f"a simulation made {served.queries} queries (at most 2)")
    for _ in range(requests):
        started = time.perf_counter()
        call()
        served.latencies.append(time.perf_counter() - started)
    return served


class _gunicorn:
    """gunicorn serving ``app`` on a free loopback port, with this run's database."""

    def __init__(self, app: str, *, pythonpath: str | None = None) -> None:
        self.app = app
        self.pythonpath = pythonpath

    def __enter__(self) -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        environment = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "SELLER_APP_KEY": APP_KEY,
            "SELLER_APP_TOKEN": APP_TOKEN,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "ERROR",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            self.app,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            WORKER_CLASS,
            "--threads",
            str(THREADS),
            "--log-level",
            "warning",
        ]
        if self.pythonpath:
            command += ["--pythonpath", self.pythonpath]
        self.process = subprocess.Popen(command, env=environment)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self.port
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"gunicorn did not start ({self.app})") from None
                time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _database_url() -> str:
    """This run's database (``bench.harness.database_create``) as a DATABASE_URL."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def _load(port: int, path: str, body: bytes, *, requests: int, into: Served) -> None:
    """``requests`` POSTs from ``CLIENTS`` threads, each on a new connection (as VTEX's
    calls arrive), recorded ``into``."""
    served = into
    lock = threading.Lock()
    remaining = [requests]

    def client() -> None:
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("POST", path, body=body, headers=HEADERS)
                response = connection.getresponse()
                content = response.read()
                status = response.status
            except OSError:
                status, content = 0, b""
            finally:
                connection.close()
            elapsed = time.perf_counter() - started
            with lock:
                if status != 200:
                    served.failures += 1
                elif not served.sample:
                    served.sample = content
                served.latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    served.busy += time.perf_counter() - began
