"""ListOrders: filters, ordering, paging, and the 30-page ceiling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.sandbox.support import ORDERS, error_code


def _list(sandbox, **params):
    response = sandbox.vtex("GET", ORDERS, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_paging_reports_total_pages_and_items_are_null(sandbox):
    sandbox.create_orders(25)

    body = _list(sandbox, page=2, per_page=10)

    assert body["paging"] == {"total": 25, "pages": 3, "currentPage": 2, "perPage": 10}
    assert len(body["list"]) == 10
    assert all(entry["items"] is None for entry in body["list"])
    assert _list(sandbox, page=3, per_page=10)["list"].__len__() == 5


def test_default_page_size_is_15(sandbox):
    sandbox.create_orders(20)

    assert _list(sandbox)["paging"]["perPage"] == 15


def test_per_page_above_100_is_refused(sandbox):
    response = sandbox.vtex("GET", ORDERS, params={"per_page": 101})

    assert response.status_code == 400
    assert error_code(response) == "SBX-LIST-PER-PAGE"


def test_a_page_beyond_30_is_400_with_the_envelope(sandbox):
    assert _list(sandbox, page=30, per_page=100)["list"] == []

    response = sandbox.vtex("GET", ORDERS, params={"page": 31, "per_page": 100})

    assert response.status_code == 400
    assert error_code(response) == "SBX-LIST-PAGE-LIMIT"
    assert response.json()["error"]["exception"] is None


def test_f_status_takes_several_comma_separated_statuses(sandbox):
    ready = set(sandbox.create_orders(3, status="ready-for-handling"))
    handling = set(sandbox.create_orders(2, status="handling"))
    sandbox.create_orders(2, status="canceled")

    body = _list(sandbox, f_status="ready-for-handling,handling", per_page=100)

    assert {entry["orderId"] for entry in body["list"]} == ready | handling
    assert body["paging"]["total"] == 5


def test_f_creation_date_is_an_inclusive_range(sandbox):
    base = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    sandbox.create_orders(
        4, created_from=base - timedelta(days=3), created_to=base - timedelta(days=2)
    )
    inside = sandbox.create_orders(3, created_from=base, created_to=base + timedelta(hours=1))
    sandbox.create_orders(
        2, created_from=base + timedelta(days=2), created_to=base + timedelta(days=3)
    )

    body = _list(
        sandbox,
        per_page=100,
        f_creationDate="creationDate:[2024-03-10T12:00:00.000Z TO 2024-03-10T13:00:00.000Z]",
    )

    assert sorted(entry["orderId"] for entry in body["list"]) == sorted(inside)


def test_malformed_date_range_is_refused(sandbox):
    response = sandbox.vtex("GET", ORDERS, params={"f_creationDate": "yesterday"})

    assert response.status_code == 400


def test_order_by_creation_date_both_ways(sandbox):
    base = datetime(2024, 1, 1, tzinfo=UTC)
    ids = [
        sandbox.create_orders(
            1, created_from=base + timedelta(hours=h), created_to=base + timedelta(hours=h)
        )[0]
        for h in range(4)
    ]

    ascending = _list(sandbox, orderBy="creationDate,asc")["list"]
    descending = _list(sandbox, orderBy="creationDate,desc")["list"]

    assert [e["orderId"] for e in ascending] == ids
    assert [e["orderId"] for e in descending] == ids[::-1]
    assert sandbox.vtex("GET", ORDERS, params={"orderBy": "color,asc"}).status_code == 400


def test_list_entries_summarise_the_order(sandbox):
    order_id = sandbox.create_orders(1)[0]
    order = sandbox.vtex("GET", f"{ORDERS}/{order_id}").json()

    entry = _list(sandbox)["list"][0]

    assert entry["totalValue"] == order["value"]
    assert entry["sequence"] == order["sequence"]
    assert entry["clientName"] == (
        f"{order['clientProfileData']['firstName']} {order['clientProfileData']['lastName']}"
    )
    assert entry["totalItems"] == sum(item["quantity"] for item in order["items"])
