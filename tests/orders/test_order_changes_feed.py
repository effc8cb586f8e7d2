"""An order change VTEX finishes later reaches the mirror through the feed (issue 11): until
VTEX says done, the mirror keeps the order as it was."""

import pytest

from orders.models import ChangeStatus, EventType, OrderChange, OrderEvent
from orders.services.feed import feed_configure, feed_drain
from tests.orders.operations import change_form, confirmed, mirrored_orders, preview

# The feed drain commits VTEX's handles after its own transactions.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_mirror_follows_only_once_vtex_says_done(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    feed_configure(statuses=["handling"])
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    feed_drain()
    vtex_store.set_options(change_delay=60)
    value = order.value
    data = change_form(client, order, discount_value="3.00")

    confirmed(client, order, data, preview(client, order, data), django_capture_on_commit_callbacks)

    change = OrderChange.objects.get()
    assert change.status == ChangeStatus.WAITING_ACKNOWLEDGEMENT
    vtex_store.advance_clock(60)  # VTEX acknowledged it; the payment is not confirmed yet
    feed_drain()
    order.refresh_from_db()
    assert order.value == value
    vtex_store.advance_clock(60)
    feed_drain()
    change.refresh_from_db()
    assert change.status == ChangeStatus.DONE
    order.refresh_from_db()
    assert order.value == value - 300 == vtex_store.order(order.vtex_order_id)["order"]["value"]
    assert OrderEvent.objects.filter(order=order, type=EventType.CHANGE_DONE).count() == 1
