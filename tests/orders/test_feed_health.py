"""Every feed drain records how it went: the dashboard and /healthz read it."""

import pytest

from orders.models import FeedHealth, FeedOutcome
from orders.services.feed import feed_drain
from vtex import VtexAuthError, VtexTransientError

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_successful_drain_records_its_time_and_clears_the_failures(vtex_sandbox):
    FeedHealth.objects.create(name="orders", failures_in_a_row=4, last_outcome="failed")
    vtex_sandbox.create_orders(2, status="ready-for-handling")

    feed_drain()
    feed_drain()

    health = FeedHealth.objects.get()
    assert health.last_outcome == FeedOutcome.SUCCEEDED
    assert health.failures_in_a_row == 0
    assert health.last_success_at == health.last_run_at


def test_refused_credentials_are_recorded_with_vtexs_answer(vtex_sandbox, settings):
    feed_drain()
    succeeded_at = FeedHealth.objects.get().last_success_at
    settings.VTEX_APP_TOKEN = "wrong-token-xyz"

    with pytest.raises(VtexAuthError):
        feed_drain()

    health = FeedHealth.objects.get()
    assert health.last_outcome == FeedOutcome.CREDENTIALS_REFUSED
    assert health.last_success_at == succeeded_at
    assert "401" in health.last_error
    assert "wrong-token-xyz" not in health.last_error
    assert health.failures_in_a_row == 1


def test_vtex_out_of_reach_counts_failures_in_a_row(vtex_sandbox, sandbox_server):
    sandbox_server.stop()

    for _ in range(2):
        with pytest.raises(VtexTransientError):
            feed_drain()

    health = FeedHealth.objects.get()
    assert health.last_outcome == FeedOutcome.FAILED
    assert health.failures_in_a_row == 2
    assert health.last_success_at is None
    assert "connection failed" in health.last_error
