"""Fixtures and helpers of the operations tests.

Delivery: Celery runs in eager mode (``task_always_eager``), so the task an admin request
hands to ``transaction.on_commit`` runs inline when the test executes the on-commit callbacks
(``django_capture_on_commit_callbacks(execute=True)``); retries are driven by calling the
sweeper (``commands_sweep``), whose hand-outs are eager too. Backoff is a few milliseconds.

Test modules import the fixtures they use by their function names (``vtex_store_fixture``...)
and request them by their fixture names (``vtex_store``...).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders.models import Actor, Order
from orders.services.imports import order_sync
from outbox.models import OPEN_STATES, CommandState, VtexCommand
from outbox.sweep import commands_sweep
from sandbox.control import SandboxControl
from tests.fixtures.sandbox import APP_KEY, APP_TOKEN
from vtex import rate_limit_pause


@pytest.fixture(name="vtex_store")
def vtex_store_fixture(sandbox_server, settings):
    """A fresh sandbox store as VTEX, eager delivery, short backoff, English messages."""
    from backoffice.celery import app

    sandbox_server.start()
    sandbox_server.reset(orders=0, seed=1)
    store = SandboxControl(sandbox_server.base_url, app_key=APP_KEY, app_token=APP_TOKEN)
    # For outage tests: stop() keeps the store, start() serves it again on the same port.
    store.server = sandbox_server
    settings.VTEX_BASE_URL = store.base_url
    settings.VTEX_APP_KEY = APP_KEY
    settings.VTEX_APP_TOKEN = APP_TOKEN
    settings.VTEX_COMMAND_BACKOFF_SECONDS = 0.005
    settings.VTEX_COMMAND_BACKOFF_MAX_SECONDS = 0.02
    settings.LANGUAGE_CODE = "en"
    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    rate_limit_pause.clear()
    yield store
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
    rate_limit_pause.clear()
    store.session.close()
    # A test may have stopped the server to simulate an outage.
    sandbox_server.start()


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


ORDER_LIST = reverse("admin:orders_order_changelist")
COMMAND_LIST = reverse("admin:outbox_vtexcommand_changelist")


def mirrored_orders(store: SandboxControl, count: int, *, status: str) -> list[Order]:
    """Orders created in the sandbox in ``status`` and imported into the mirror."""
    order_ids = store.create_orders(count, status=status)
    for order_id in order_ids:
        order_sync(vtex_order_id=order_id, source=Actor.FEED)
    return list(Order.objects.filter(vtex_order_id__in=order_ids).order_by("pk"))


def order_page(order: Order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def operation_url(order: Order, name: str) -> str:
    return reverse(f"admin:orders_order_op_{name.replace('-', '_')}", args=[order.pk])


def post_action(
    client: Client, action: str, objects: Iterable[Any], *, url: str = ORDER_LIST, **data: Any
) -> Any:
    return client.post(
        url, {"action": action, "_selected_action": [obj.pk for obj in objects], **data}
    )


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def invoice_form(
    order: Order, number: str, quantities: dict[int, int] | None = None, **fields: Any
) -> dict[str, Any]:
    """The invoice form as an operator fills it; ``quantities`` default to everything left."""
    from orders.selectors import order_invoicing_summary

    summary = order_invoicing_summary(order=order)
    left = (
        summary.unreturned_quantities if summary.fully_invoiced else summary.uninvoiced_quantities
    )
    data = {
        "invoice_type": "Input" if summary.fully_invoiced else "Output",
        "number": number,
        "key": "",
        "issued_at": timezone.now().strftime("%Y-%m-%d %H:%M:%S"),
        "url": "",
        "embedded_xml": "",
        "courier": "",
        "tracking_number": "",
        "tracking_url": "",
        "dispatched_at": "",
    }
    for item in order.items.all():
        chosen = (
            left.get(item.position, 0) if quantities is None else quantities.get(item.position, 0)
        )
        data[f"quantity_{item.position}"] = chosen
    data.update(fields)
    return data


def deliver_everything(*, timeout: float = 20.0) -> None:
    """Run the sweeper (eager delivery) until no command is left to send."""
    deadline = time.monotonic() + timeout
    while VtexCommand.objects.filter(state__in=OPEN_STATES).exists():
        if time.monotonic() > deadline:
            left = list(
                VtexCommand.objects.filter(state__in=OPEN_STATES).values_list(
                    "key", "state", "next_attempt_at", "last_error_message"
                )
            )
            raise AssertionError(f"commands still open after {timeout}s: {left[:10]}")
        report = commands_sweep()
        if not report.dispatched:
            time.sleep(0.02)


def sandbox_invoices(store: SandboxControl, order: Order) -> dict[str, dict[str, Any]]:
    return {entry["invoiceNumber"]: entry for entry in store.order(order.vtex_order_id)["invoices"]}


def command_states() -> dict[str, str]:
    return dict(VtexCommand.objects.values_list("key", "state"))


def succeeded(keys: Iterable[str]) -> bool:
    states = command_states()
    return all(states.get(key) == CommandState.SUCCEEDED for key in keys)
