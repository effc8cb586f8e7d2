"""Suite-wide fixtures.

Fixtures are found by pytest through conftest.py files (this one,
tests/browser/conftest.py) and the plugins below; test modules never import them by name.

Passwords are hashed with MD5 in the test run only: PBKDF2's million rounds cost about half a
second per password set or checked, and the production settings keep Django's default hashers.

Tests that need a real service (PostgreSQL, Redis, RabbitMQ, Chromium) skip
when it is missing on a developer's machine, but fail when
``BACKOFFICE_REQUIRE_SERVICES=1`` (set by ``.ci/run``), so CI never passes by
skipping.
"""

import os
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from tests.fixtures.groups import operator_group
from vtex import rate_limit_pause

pytest_plugins = ["tests.fixtures.sandbox", "tests.fixtures.redis_server"]

REQUIRE_SERVICES = os.environ.get("BACKOFFICE_REQUIRE_SERVICES") == "1"


def service_missing(reason: str) -> None:
    """Skip locally, fail under CI, when a service a test needs is not there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def require_postgres(db):
    if connection.vendor != "postgresql":
        service_missing("this test needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture(autouse=True)
def _no_rate_limit_pause():
    # The client's 429 pause is process-wide by design; tests must not inherit one another's.
    rate_limit_pause.clear()
    yield
    rate_limit_pause.clear()


@pytest.fixture(autouse=True)
def _no_rate_governor(settings):
    # The sandbox limits nothing unless a test configures it; the governor's own tests
    # (tests/vtex/test_governor.py) set the limits they check.
    settings.VTEX_RATE_LIMITS = {}


@pytest.fixture
def vtex_sandbox(sandbox, settings):
    """The sandbox store, with Django's VTEX settings pointing at it."""
    settings.VTEX_BASE_URL = sandbox.base_url
    settings.VTEX_APP_KEY = sandbox.app_key
    settings.VTEX_APP_TOKEN = sandbox.app_token
    return sandbox


# --- The sandbox as VTEX, and operators -----------------------------------------------------
# Delivery: Celery runs in eager mode (``task_always_eager``), so the task an admin request
# hands to ``transaction.on_commit`` runs inline when the test executes the on-commit callbacks
# (``django_capture_on_commit_callbacks(execute=True)``); retries are driven by calling the
# sweeper (``commands_sweep``), whose hand-outs are eager too. Backoff is a few milliseconds.


@pytest.fixture(name="vtex_store")
def vtex_store_fixture(vtex_sandbox, sandbox_server, settings):
    """A fresh sandbox store as VTEX, eager delivery, short backoff, English messages (the
    429 pause is cleared around every test by ``_no_rate_limit_pause``)."""
    from backoffice.celery import app

    # For outage tests: stop() keeps the store, start() serves it again on the same port (the
    # sandbox fixture serves it again after the test).
    vtex_sandbox.server = sandbox_server
    settings.VTEX_COMMAND_BACKOFF_SECONDS = 0.005
    settings.VTEX_COMMAND_BACKOFF_MAX_SECONDS = 0.02
    settings.LANGUAGE_CODE = "en"
    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield vtex_sandbox
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(name="login")
def login_fixture(client, django_user_model, settings):
    """``login("Operations")``: the test client as a staff user of that group."""
    settings.LANGUAGE_CODE = "en"

    def log_in(group: str, *, username: str | None = None) -> Any:
        user = django_user_model.objects.create_user(
            username=username or group.lower(), password="unused-password", is_staff=True
        )
        user.groups.add(operator_group(group))
        client.force_login(user)
        return user

    return log_in
