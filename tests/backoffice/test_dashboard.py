"""The admin's home: its queues, statuses, chart and import health say what the database holds,
its links land on lists filtered to the same orders, and its queries do not grow with them."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.models import FeedHealth, FeedOutcome, Order
from orders.selectors.queues import orders_per_day
from tests.backoffice.dashboard_data import NOT_ORDERS, dashboard_data

pytestmark = pytest.mark.django_db

HOME = "/admin/"


@pytest.fixture
def operator(client, django_user_model, settings):
    settings.LANGUAGE_CODE = "en"
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-unused")
    client.force_login(user)
    return client


def queue_row(html: str, key: str) -> dict[str, str]:
    row = re.search(rf'<tr class="bo-queue[^"]*" data-queue="{key}">(.*?)</tr>', html, re.S)
    assert row, f"no row for queue {key}"
    cells = dict(re.findall(r'class="[^"]*bo-queue-([a-z-]+)[^"]*">(.*?)</t[dh]>', row.group(0)))
    links = re.findall(r'href="([^"]+)"', row.group(1))
    return {
        "late_row": "bo-queue-late" in row.group(0).split(">")[0],
        "count": int(cells["count"]),
        "late": int(re.sub(r"<[^>]+>", "", cells["late-count"])),
        "age": cells["age"].strip(),
        "links": [link.replace("&amp;", "&") for link in links],
    }


def listed_orders(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return set(re.findall(r'class="field-vtex_order_id"><a [^>]*>([^<]+)</a>', response.text))


def test_the_home_page_shows_each_queue_as_the_database_holds_it(operator):
    data = dashboard_data()
    html = operator.get(HOME).content.decode()

    for key, (members, late) in data.queues.items():
        row = queue_row(html, key)
        assert (row["count"], row["late"]) == (len(members), len(late)), key
        assert row["late_row"] == bool(late), key
        assert row["age"], key
    # The oldest of "ready for handling" waits for 30 hours (1 day, 6 hours).
    assert queue_row(html, "ready-for-handling")["age"] == "1\xa0day, 6\xa0hours"


def test_a_queue_link_lands_on_the_list_of_exactly_its_orders(operator):
    data = dashboard_data()
    html = operator.get(HOME).content.decode()

    for key, (members, late) in data.queues.items():
        if key in NOT_ORDERS:
            continue
        url, late_url = queue_row(html, key)["links"]
        assert "?queue=" in url
        assert listed_orders(operator, url) == members, key
        assert listed_orders(operator, late_url) == late, key


def test_the_failed_commands_link_lands_on_the_commands_needing_attention(operator):
    data = dashboard_data()
    html = operator.get(HOME).content.decode()

    [url, _late_url] = queue_row(html, "commands-failed")["links"]
    response = operator.get(url)
    assert response.status_code == 200
    # The key's column cuts a long key; the whole key is its title.
    keys = set(re.findall(r'field-key_display"><a [^>]*><span [^>]*title="([^"]+)"', response.text))
    assert keys == data.queues["commands-failed"][0]


def test_the_late_filter_and_flag_of_the_order_list(operator):
    data = dashboard_data()
    url = reverse("admin:orders_order_changelist")

    assert listed_orders(operator, f"{url}?late=yes") == data.late_orders
    everyone = set(Order.objects.values_list("vtex_order_id", flat=True))
    assert listed_orders(operator, f"{url}?late=no") == everyone - data.late_orders
    html = operator.get(url).content.decode()
    flagged = set(
        re.findall(
            r'field-vtex_order_id"><a [^>]*>([^<]+)</a>(?:(?!</tr>).)*class="order-late"',
            html,
            re.S,
        )
    )
    assert flagged == data.late_orders


def test_the_status_filter_counts_the_orders_of_each_status(operator):
    dashboard_data()
    html = operator.get(reverse("admin:orders_order_changelist")).content.decode()
    for status, label in (("ready-for-handling", "Ready for handling"), ("invoiced", "Invoiced")):
        count = Order.objects.filter(status=status).count()
        assert f"{label} ({count})" in html
    # A status without orders is not offered.
    assert "Payment pending (" not in html


def test_orders_per_status_and_the_chart_hold_the_databases_numbers(operator):
    data = dashboard_data()
    html = operator.get(HOME).content.decode()

    for status in set(Order.objects.values_list("status", flat=True)):
        count = Order.objects.filter(status=status).count()
        assert re.search(rf'data-status="{status}">.*?bo-status-count">{count}<', html, re.S), (
            status
        )

    days = orders_per_day(days=30, now=data.now)
    start = timezone.localtime(data.now).date() - timedelta(days=29)
    received = sum(1 for o in Order.objects.all() if timezone.localdate(o.created_at) >= start)
    invoiced = sum(
        1
        for o in Order.objects.all()
        if o.invoiced_at and timezone.localdate(o.invoiced_at) >= start
    )
    canceled = Order.objects.filter(status="canceled").count()
    assert sum(day.received for day in days) == received
    assert sum(day.invoiced for day in days) == invoiced
    assert sum(day.canceled for day in days) == canceled
    # The SVG draws one bar per day and series, with the day's figure.
    series = re.findall(r'<g class="series serie-(\d) [^"]*">(.*?)</g></g></g>', html, re.S)
    drawn = {
        int(index): re.findall(r'<desc class="value">(\d+)</desc>', body) for index, body in series
    }
    assert drawn[0] == [str(day.received) for day in days]
    assert drawn[1] == [str(day.invoiced) for day in days]
    assert drawn[2] == [str(day.canceled) for day in days]
    figure = html.split('class="bo-chart"')[1].split("</figure>")[0]
    # Nothing loaded from elsewhere (pygal's default tooltips come from a CDN).
    assert not re.search(r"<script[^>]*\bsrc=", figure)
    assert "xlink:href" not in figure


def test_the_import_warns_when_the_last_runs_failed_with_vtexs_error(operator, settings):
    now = timezone.now()
    FeedHealth.objects.create(
        name="orders",
        last_run_at=now,
        last_outcome=FeedOutcome.FAILED,
        last_success_at=now - timedelta(minutes=45),
        last_error="GET /api/orders/feed: 503 Service Unavailable",
        last_error_at=now,
        failures_in_a_row=3,
    )
    html = operator.get(HOME).content.decode()
    section = html.split('id="import-health"')[1].split("</section>")[0]
    assert "bo-warnings" in section
    assert "The last 3 import runs failed." in section
    assert "No successful import for 45\xa0minutes" in section
    assert "GET /api/orders/feed: 503 Service Unavailable" in section


def test_the_import_warns_when_vtex_refuses_the_credentials(operator):
    now = timezone.now()
    FeedHealth.objects.create(
        name="orders",
        last_run_at=now,
        last_outcome=FeedOutcome.CREDENTIALS_REFUSED,
        last_success_at=now - timedelta(minutes=2),
        last_error="GET /api/orders/feed: 401",
        failures_in_a_row=1,
    )
    html = operator.get(HOME).content.decode()
    assert "VTEX refuses the credentials" in html
    assert "GET /api/orders/feed: 401" in html


def test_a_healthy_import_says_so(operator):
    now = timezone.now()
    FeedHealth.objects.create(
        name="orders", last_run_at=now, last_outcome=FeedOutcome.SUCCEEDED, last_success_at=now
    )
    html = operator.get(HOME).content.decode()
    assert "The import is up to date." in html
    assert "bo-warnings" not in html


def test_the_refused_imports_link_lands_on_the_batches_to_fix(operator):
    data = dashboard_data()
    html = operator.get(HOME).content.decode()

    [url, _late_url] = queue_row(html, "imports-refused")["links"]
    response = operator.get(url)
    assert response.status_code == 200
    # The file name's column cuts a long name; the whole name is its title.
    named = r'class="field-file_name_display"><span [^>]*title="([^"]+)"'
    files = set(re.findall(named, response.text))
    assert files == data.queues["imports-refused"][0]


def test_the_home_page_queries_do_not_grow_with_the_orders(operator):
    def queries() -> int:
        operator.get(HOME)  # warm the session and permission caches alike
        with CaptureQueriesContext(connection) as captured:
            assert operator.get(HOME).status_code == 200
        return len(captured)

    dashboard_data(copies=1)
    small = queries()
    dashboard_data(copies=6)
    assert Order.objects.count() == 7 * 10
    assert queries() == small


def test_each_group_sees_the_numbers_and_links_only_to_lists_it_may_open(
    client, django_user_model, settings
):
    from django.contrib.auth.models import Group

    settings.LANGUAGE_CODE = "en"
    data = dashboard_data()
    for group in ("Viewer", "Finance", "Operations", None):
        user = django_user_model.objects.create_user(
            f"user-{group}", password="unused", is_staff=True
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        client.force_login(user)
        html = client.get(HOME).content.decode()
        for key, (members, _late) in data.queues.items():
            row = queue_row(html, key)
            assert row["count"] == len(members), (group, key)
            permission = {
                "commands-failed": "outbox.view_vtexcommand",
                "imports-refused": "imports.view_importbatch",
            }.get(key, "orders.view_order")
            allowed = user.has_perm(permission)
            assert bool(row["links"]) == allowed, (group, key)
            for link in row["links"]:
                assert client.get(link).status_code == 200, (group, link)
        if group is not None:
            assert all(queue_row(html, key)["links"] for key in data.queues), group
