"""The order list's status filter counts what the list shows (issue 19): with other filters
applied (late, has invoice, a search) each status's count is the number of rows the list
shows of it, counted in one GROUP BY query."""

import re
from collections import Counter
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from orders.admin.filters import StatusFilter
from tests.backoffice.dashboard_data import dashboard_data
from tests.orders.factories import OrderFactory

pytestmark = pytest.mark.django_db

ORDER_LIST = reverse("admin:orders_order_changelist")
STATUS_LINK = re.compile(r'<a href="\?([^"]*)"[^>]*>\s*([^<]*?)\s*\((\d+)\)\s*</a>')
ROW_STATUS = re.compile(r'<span class="order-status" data-status="([^"]+)"')


def status_filter_counts(page: str) -> dict[str, int]:
    """The status filter's links as the page shows them: status -> the count it says."""
    language = re.search(r'<html lang="([^"]+)"', page).group(1)
    with translation.override(language):
        start = page.index(f'data-filter-title="{StatusFilter.title}"')
    section = page[start : page.index("</details>", start)]
    counts = {}
    for query, _label, count in STATUS_LINK.findall(section.replace("&amp;", "&")):
        [status] = parse_qs(query)["status"]
        counts[status] = int(count)
    return counts


def listed_statuses(page: str) -> Counter:
    if 'id="result_list"' not in page:
        return Counter()  # no row: the list says so instead of drawing its table
    return Counter(ROW_STATUS.findall(page[page.index('id="result_list"') :]))


@pytest.fixture
def orders_in_every_state():
    dashboard_data(copies=2)
    # More late and on-time orders in statuses the late queues do not hold.
    for status in ("ready-for-handling", "handling", "invoiced", "canceled"):
        OrderFactory(status=status)
    for status in ("handling", "handling", "invoiced"):
        OrderFactory(status=status, customer_first_name="Joaquina")


@pytest.mark.parametrize(
    "query",
    ["late=yes", "late=no", "has_invoice=yes&late=yes", "q=Joaquina", ""],
)
def test_status_counts_follow_the_other_filters(admin_client, orders_in_every_state, query):
    page = admin_client.get(f"{ORDER_LIST}?{query}").content.decode()

    shown = listed_statuses(page)
    assert 0 < sum(shown.values()) < 50  # one page: every row of the list is on it
    assert status_filter_counts(page) == dict(shown)


def test_late_counts_are_what_each_status_lists(admin_client, orders_in_every_state):
    counts = status_filter_counts(admin_client.get(f"{ORDER_LIST}?late=yes").content.decode())
    assert counts  # the late orders of dashboard_data are in several statuses
    for status, count in counts.items():
        page = admin_client.get(f"{ORDER_LIST}?late=yes&status={status}").content.decode()
        assert listed_statuses(page) == {status: count}
        # The selected status keeps its count, and the others theirs.
        assert status_filter_counts(page) == counts


def test_a_selected_status_with_no_order_left_stays_listed_with_zero(
    admin_client, orders_in_every_state
):
    page = admin_client.get(f"{ORDER_LIST}?late=yes&status=canceled").content.decode()

    assert status_filter_counts(page)["canceled"] == 0
    assert listed_statuses(page) == {}


def test_the_status_counts_are_one_group_by_query(admin_client, orders_in_every_state):
    response = admin_client.get(f"{ORDER_LIST}?late=yes&has_invoice=yes")
    changelist = response.context["cl"]
    [status_filter] = [f for f in changelist.filter_specs if isinstance(f, StatusFilter)]

    with CaptureQueriesContext(connection) as queries:
        list(status_filter.choices(changelist))

    assert len(queries) == 1
    assert "GROUP BY" in queries[0]["sql"].upper()
