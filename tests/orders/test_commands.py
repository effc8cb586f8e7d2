"""The import commands, as an engineer runs them."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from core.locks import task_lock
from core.vtex import vtex_client
from orders.status import OrderStatus
from orders.tasks import FEED_DRAIN


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_feed_configure_sets_from_workflow_with_every_status_by_default(vtex_sandbox):
    output = run("vtex_feed_configure")

    config = vtex_client().get_feed_config()
    assert config["filter"]["type"] == "FromWorkflow"
    assert set(config["filter"]["status"]) == {status.value for status in OrderStatus}
    assert config["queue"]["visibilityTimeoutInSeconds"] == 240
    assert f"{len(OrderStatus)} statuses" in output


@pytest.mark.django_db
def test_feed_configure_follows_the_settings(vtex_sandbox, settings):
    settings.ORDERS_FEED_STATUSES = ["ready-for-handling", "canceled"]
    settings.ORDERS_FEED_VISIBILITY_TIMEOUT_SECONDS = 120

    run("vtex_feed_configure")

    config = vtex_client().get_feed_config()
    assert config["filter"]["status"] == ["ready-for-handling", "canceled"]
    assert config["queue"]["visibilityTimeoutInSeconds"] == 120


@pytest.mark.django_db
def test_feed_configure_reports_a_refusal(vtex_sandbox, settings):
    settings.VTEX_APP_TOKEN = "wrong"

    with pytest.raises(CommandError, match="refused"):
        run("vtex_feed_configure")


@pytest.mark.django_db(transaction=True)
def test_import_reports_vtex_refusing_the_credentials(vtex_sandbox, settings):
    settings.VTEX_APP_TOKEN = "wrong"

    with pytest.raises(CommandError, match="VTEX answered"):
        run("vtex_import")


@pytest.mark.django_db(transaction=True)
def test_import_refuses_to_run_beside_another_drain(vtex_sandbox):
    with (
        task_lock(name=FEED_DRAIN, ttl=timedelta(minutes=1)),
        pytest.raises(CommandError, match="another feed drain is running"),
    ):
        run("vtex_import")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2024-01-01"], "go with --backfill"),
        (["--backfill"], "needs --since"),
        (["--backfill", "--since", "2024-13-01"], "is not a date"),
        (["--backfill", "--since", "2024-02-01", "--until", "2024-01-01"], "must come before"),
    ],
)
@pytest.mark.django_db
def test_import_arguments_are_checked(args, message):
    with pytest.raises(CommandError, match=message):
        run("vtex_import", *args)
