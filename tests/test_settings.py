"""Start-up configuration: what an engineer deploying the back office sees."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.db import connection

from tests.fixtures.redis_server import free_port

ROOT = Path(__file__).resolve().parents[1]


def django_check(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VTEX_", "DJANGO_"))
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_nothing_configured_runs_on_the_sandbox_store():
    result = django_check()
    assert result.returncode == 0, result.stderr


def test_half_configured_vtex_stops_the_start_naming_what_is_missing():
    result = django_check(VTEX_ACCOUNT_NAME="mystore", VTEX_APP_KEY="vtexappkey-mystore-X")
    assert result.returncode != 0
    assert "VTEX is half-configured: set VTEX_APP_TOKEN" in result.stderr
    assert "vtexappkey-mystore-X" not in result.stderr


def test_an_unknown_order_changes_api_stops_the_start():
    result = django_check(VTEX_ORDER_CHANGES_API="v2")
    assert result.returncode != 0
    assert "VTEX_ORDER_CHANGES_API must be 'modifications' or 'legacy', not 'v2'" in result.stderr
    assert django_check(VTEX_ORDER_CHANGES_API="legacy").returncode == 0


def test_production_requires_a_secret_key():
    result = django_check(DJANGO_ENV="production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_requires_vtex_credentials():
    result = django_check(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="backoffice.example.com",
    )
    assert result.returncode != 0
    assert "VTEX_ACCOUNT_NAME, VTEX_APP_KEY, VTEX_APP_TOKEN" in result.stderr


PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "k3y-" + "x9Z" * 20,
    "DJANGO_ALLOWED_HOSTS": "backoffice.example.com",
    "VTEX_ACCOUNT_NAME": "mystore",
    "VTEX_APP_KEY": "key",
    "VTEX_APP_TOKEN": "token",
}


def deploy_check(**env_overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("VTEX_", "DJANGO_"))},
            **PRODUCTION_ENV,
            **env_overrides,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert deploy_check(VTEX_BASE_URL="https://vtex-proxy.example.com").returncode == 0


@pytest.mark.parametrize(
    "base_url", ["http://mystore.vtexcommercestable.com.br", "ftp://x.example.com", "https://"]
)
def test_production_refuses_a_vtex_base_url_that_is_not_https(base_url):
    result = deploy_check(VTEX_BASE_URL=base_url)
    assert result.returncode != 0
    assert "backoffice.E001" in result.stderr
    assert "VTEX_BASE_URL must be an https:// address in production" in result.stderr


def test_runserver_leaves_no_database_connection_open_after_its_requests(require_postgres):
    """``make run`` serves with runserver, a thread per request: with persistent connections
    each request left its connection open, and PostgreSQL's max_connections ran out."""
    database = connection.settings_dict["NAME"]  # the test database, migrated
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}").geturl()
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VTEX_", "DJANGO_"))},
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "60",  # as .env.example shows it
        "CELERY_BROKER_URL": "filesystem://",
        "VTEX_BASE_URL": "http://127.0.0.1:9",  # /healthz's VTEX check: refused at once
    }
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # A new TCP connection for each request (no keep-alive): a new thread of runserver's.
        runserver_answers(server, f"http://127.0.0.1:{port}/healthz")
        time.sleep(1)
        started = other_connections(database)
        for _ in range(20):
            assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code in (
                200,
                503,
            )
        deadline = time.monotonic() + 10
        while (left := other_connections(database)) > started and time.monotonic() < deadline:
            time.sleep(0.1)
        # What the server holds for itself (its startup checks' connection, in its main
        # thread) may stay; not one more for the requests it served.
        assert left <= started
    finally:
        server.terminate()
        server.wait(timeout=10)


def other_connections(database: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return cursor.fetchone()[0]


def runserver_answers(server: subprocess.Popen, url: str) -> requests.Response:
    """The first answer of a runserver just started (its checks take a while on a busy
    machine); a server that exited instead fails the test at once."""
    deadline = time.monotonic() + 120
    while True:
        assert server.poll() is None, "runserver exited"
        try:
            return requests.get(url, timeout=5, allow_redirects=False)
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "runserver did not start"
            time.sleep(0.2)


def test_the_access_log_keeps_no_value_searched_for(tmp_path):
    """An operator searching the order list for a CPF or an e-mail: runserver's access log
    (make run) names the parameters, not their values."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("VTEX_", "DJANGO_"))},
            # The request reads no data: a database of its own, whatever the suite's is.
            "DATABASE_URL": f"sqlite:///{tmp_path / 'access-log.sqlite3'}",
            "CELERY_BROKER_URL": "filesystem://",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = (
            f"http://127.0.0.1:{port}/admin/orders/order/"
            "?q=52998224725&customer_email=ana%40example.com"
        )
        response = runserver_answers(server, url)
        assert response.status_code == 302  # to the login page, the query kept in ?next=
        login = requests.get(f"http://127.0.0.1:{port}{response.headers['Location']}", timeout=5)
        assert login.status_code == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "/admin/orders/order/?q=***&customer_email=*** HTTP/1.1" in output
    for personal in ("52998224725", "ana%40example.com", "ana@example.com"):
        assert personal not in output
