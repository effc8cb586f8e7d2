"""The admin's home and the order list at 1440x900 in Chromium (pt-BR): the queues and the
chart show what the database holds, a queue's link lands on its orders, late orders are
flagged, and the order list fits the screen with its filters open."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.actor import Actor
from orders.models import Order
from orders.selectors.queues import orders_late
from orders.services.mirror import order_sync
from tests.backoffice.dashboard_data import dashboard_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 900}


@pytest.fixture
def wide_page(page):
    page.set_viewport_size(WIDE)
    return page


def queue_rows(page) -> dict[str, dict]:
    return page.locator("#queues tr[data-queue]").evaluate_all(
        """rows => Object.fromEntries(rows.map(row => [row.dataset.queue, {
            count: Number(row.querySelector('.bo-queue-count').innerText),
            late: Number(row.querySelector('.bo-queue-late-count').innerText),
            highlighted: row.classList.contains('bo-queue-late'),
            background: getComputedStyle(row).backgroundColor,
        }]))"""
    )


def overflowing(page) -> list[str]:
    """Elements whose right edge passes the viewport, and whether the page scrolls sideways."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [];
            if (document.documentElement.scrollWidth > width) wide.push('page scrolls sideways');
            for (const el of document.querySelectorAll('body *')) {
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + 1) {
                    wide.push(`${el.tagName}.${el.className} right=${box.right}`);
                }
            }
            return wide;
        }"""
    )


def test_the_dashboard_draws_the_databases_queues_and_chart(
    wide_page, live_server, admin_login, vtex_sandbox
):
    page = wide_page
    data = dashboard_data()
    # And orders imported from the sandbox store, as the feed brings them.
    for order_id in vtex_sandbox.create_orders(4, status="ready-for-handling"):
        order_sync(vtex_order_id=order_id, source=Actor.FEED)
    imported = Order.objects.filter(status="ready-for-handling").count()

    admin_login()
    page.goto(f"{live_server.url}/admin/")

    assert page.locator("h2", has_text="Aguardando alguém").is_visible()
    rows = queue_rows(page)
    expected = {key: (len(members), len(late)) for key, (members, late) in data.queues.items()}
    expected["ready-for-handling"] = (
        imported,
        Order.objects.filter(orders_late(now=timezone.now()), status="ready-for-handling").count(),
    )
    assert {key: (row["count"], row["late"]) for key, row in rows.items()} == expected
    for key, row in rows.items():
        assert row["highlighted"] == (row["late"] > 0), key
        # What is past its limit stands out (the stylesheet's highlight).
        assert (row["background"] == "rgb(254, 242, 242)") == row["highlighted"], key

    # The chart: one bar per day and series, each with the database's figure.
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    days = [today - timedelta(days=offset) for offset in range(29, -1, -1)]

    def per_day(field: str, orders) -> list[int]:
        counted = [timezone.localtime(getattr(o, field), zone).date() for o in orders]
        return [counted.count(day) for day in days]

    everything = list(Order.objects.all())
    expected_series = [
        per_day("created_at", everything),
        per_day("invoiced_at", [o for o in everything if o.invoiced_at]),
        per_day("vtex_last_change", [o for o in everything if o.status == "canceled"]),
    ]
    drawn = page.locator("#orders-chart svg g.series:has(.bar)").evaluate_all(
        """series => series.map(serie => [...serie.querySelectorAll('.bar')].map(bar => ({
            value: Number(bar.querySelector('desc.value').textContent),
            height: bar.querySelector('rect').getBoundingClientRect().height,
        })))"""
    )
    assert [[bar["value"] for bar in serie] for serie in drawn] == expected_series
    for serie in drawn:
        for bar in serie:
            assert (bar["height"] > 0) == (bar["value"] > 0)
    assert page.locator("#orders-chart svg").is_visible()
    assert "Recebidos" in page.locator("#orders-chart").inner_text()
    assert overflowing(page) == []


def test_a_queue_link_lands_on_its_orders_and_late_ones_are_flagged(
    wide_page, live_server, admin_login
):
    page = wide_page
    data = dashboard_data()
    members, late = data.queues["ready-for-handling"]

    admin_login()
    page.goto(f"{live_server.url}/admin/")
    page.locator("tr[data-queue='ready-for-handling'] a.bo-queue-link").click()
    page.wait_for_url("**/admin/orders/order/?queue=ready-for-handling")
    page.locator("#result_list").wait_for()
    listed = page.locator("#result_list tbody .field-vtex_order_id").all_inner_texts()
    assert set(listed) == members
    for order_id in members:
        row = page.locator("#result_list tr", has_text=order_id)
        flag = row.locator(".order-late")
        if order_id in late:
            assert flag.is_visible()
            assert flag.inner_text() == "Atrasado"
        else:
            assert flag.count() == 0

    page.locator("#changelist-filter a", has_text="Atrasado").first.click()
    page.wait_for_url("**late=yes**")
    assert set(page.locator("#result_list tbody .field-vtex_order_id").all_inner_texts()) == late


def test_the_order_list_fits_1440_pixels_with_its_filters_open(
    wide_page, live_server, admin_login, vtex_sandbox
):
    page = wide_page
    for status in ("ready-for-handling", "handling", "invoiced", "canceled"):
        for order_id in vtex_sandbox.create_orders(3, status=status):
            order_sync(vtex_order_id=order_id, source=Actor.FEED)
    dashboard_data()

    admin_login()
    page.goto(f"{live_server.url}/admin/orders/order/")

    assert page.locator("#changelist-filter").is_visible()
    assert overflowing(page) == []
    headers = page.locator("#result_list thead th")
    for index in range(headers.count()):
        assert headers.nth(index).is_visible()
    badges = page.locator("#result_list .order-status")
    assert badges.count() == Order.objects.count()
    width = page.evaluate("document.documentElement.clientWidth")
    for box in badges.evaluate_all("els => els.map(el => el.getBoundingClientRect().toJSON())"):
        assert box["width"] > 0 and box["right"] <= width
    # The status filter counts each status's orders.
    filter_text = page.locator("#changelist-filter").inner_text()
    count = Order.objects.filter(status="invoiced").count()
    assert f"Faturado ({count})" in filter_text
