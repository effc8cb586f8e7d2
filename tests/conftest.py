"""Suite-wide fixtures.

Fixtures are found by pytest through conftest.py files (this one, tests/orders/conftest.py,
tests/browser/conftest.py) and the plugins below; test modules never import them by name.

Passwords are hashed with MD5 in the test run only: PBKDF2's million rounds cost about half a
second per password set or checked, and the production settings keep Django's default hashers.

Tests that need a real service (PostgreSQL, Redis, RabbitMQ, Chromium) skip
when it is missing on a developer's machine, but fail when
``BACKOFFICE_REQUIRE_SERVICES=1`` (set by ``.ci/run``), so CI never passes by
skipping.
"""

import os

import pytest
from django.db import connection
from django.test import override_settings

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


@pytest.fixture
def vtex_sandbox(sandbox, settings):
    """The sandbox store, with Django's VTEX settings pointing at it."""
    settings.VTEX_BASE_URL = sandbox.base_url
    settings.VTEX_APP_KEY = sandbox.app_key
    settings.VTEX_APP_TOKEN = sandbox.app_token
    return sandbox
