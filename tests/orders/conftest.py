"""Fixtures of the orders tests: ``vtex_store`` (the sandbox as VTEX, eager delivery) and
``login`` (the test client as an operator). Helpers are in tests/orders/operations.py.

Delivery: Celery runs in eager mode (``task_always_eager``), so the task an admin request
hands to ``transaction.on_commit`` runs inline when the test executes the on-commit callbacks
(``django_capture_on_commit_callbacks(execute=True)``); retries are driven by calling the
sweeper (``commands_sweep``), whose hand-outs are eager too. Backoff is a few milliseconds.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group


@pytest.fixture(name="vtex_store")
def vtex_store_fixture(vtex_sandbox, sandbox_server, settings):
    """A fresh sandbox store as VTEX, eager delivery, short backoff, English messages (the
    429 pause is cleared around every test by tests/conftest.py)."""
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
        user.groups.add(Group.objects.get(name=group))
        client.force_login(user)
        return user

    return log_in


@pytest.fixture(name="import_orders")
def import_orders_fixture(db):
    """The orders the files in tests/orders/import_files/ name (tests/orders/imports.py)."""
    from tests.orders.imports import orders_for_files

    return orders_for_files()
