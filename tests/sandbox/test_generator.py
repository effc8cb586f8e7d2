"""Generated orders: consistent totals, valid documents, determinism by seed, speed."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from sandbox.documents import order_document
from sandbox.generator import (
    OrderFactory,
    cpf_check_digits,
    ean13_check_digit,
    generate_orders,
    is_valid_cpf,
    nfe_check_digit,
)

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    factory = OrderFactory(seed=7, account="loja")
    return [
        order_document(order, account="loja")
        for order in generate_orders(factory, count=600, days=30, now=NOW)
    ]


STABLE_FIELDS = (
    "orderId",
    "sequence",
    "orderGroup",
    "status",
    "value",
    "totals",
    "items",
    "clientProfileData",
    "paymentData",
)


def _stable(document: dict) -> dict:
    """What a seed fixes; dates move with the clock since the store is built relative to now."""
    return {field: document[field] for field in STABLE_FIELDS}


def test_check_digit_helpers_match_known_values():
    assert cpf_check_digits("529982247") == "25"  # 529.982.247-25, a textbook valid CPF
    assert is_valid_cpf("52998224725")
    assert not is_valid_cpf("52998224726")
    assert not is_valid_cpf("11111111111")
    assert ean13_check_digit("400638133393") == "1"  # 4006381333931, the usual EAN example
    # The access key used as an example in the NF-e integration manual.
    assert nfe_check_digit("5206043300991100250655012000000780026730161") == "5"


def test_totals_add_up_to_the_order_value(documents):
    for document in documents:
        totals = {total["id"]: total["value"] for total in document["totals"]}
        assert set(totals) == {"Items", "Discounts", "Shipping", "Tax"}
        assert sum(totals.values()) == document["value"]
        items = document["items"]
        assert totals["Items"] == sum(i["price"] * i["quantity"] for i in items)
        assert totals["Discounts"] == -sum(
            (i["price"] - i["sellingPrice"]) * i["quantity"] for i in items
        )
        assert totals["Shipping"] == sum(
            info["price"] for info in document["shippingData"]["logisticsInfo"]
        )
        assert totals["Discounts"] <= 0
        payment = document["paymentData"]["transactions"][0]["payments"][0]
        assert payment["value"] == document["value"]


def test_customers_are_brazilian_with_valid_cpf_and_cep(documents):
    for document in documents:
        client = document["clientProfileData"]
        assert client["documentType"] == "cpf"
        assert is_valid_cpf(client["document"])
        assert re.fullmatch(r"\+55\d{11}", client["phone"])
        address = document["shippingData"]["address"]
        assert re.fullmatch(r"\d{5}-\d{3}", address["postalCode"])
        assert address["country"] == "BRA"
        assert len(address["state"]) == 2


def test_ids_look_like_vtex_ids(documents):
    sequences = [int(d["sequence"]) for d in documents]
    assert sequences == sorted(sequences)
    assert len(set(sequences)) == len(sequences)
    for document in documents:
        assert re.fullmatch(r"\d{13}-01", document["orderId"])
        assert document["orderId"] == f"{document['orderGroup']}-01"
        for item in document["items"]:
            assert len(item["ean"]) == 13
            assert ean13_check_digit(item["ean"][:12]) == item["ean"][12]


def test_statuses_are_mixed_and_dates_spread_over_the_window(documents):
    statuses = Counter(d["status"] for d in documents)
    assert {"ready-for-handling", "handling", "invoiced", "canceled", "payment-pending"} <= set(
        statuses
    )
    created = [datetime.fromisoformat(d["creationDate"]) for d in documents]
    assert min(created) >= NOW - timedelta(days=30)
    assert max(created) <= NOW
    assert max(created) - min(created) > timedelta(days=25)
    for document in documents:
        assert datetime.fromisoformat(document["lastChange"]) <= NOW


def test_invoiced_orders_are_fully_invoiced_and_canceled_ones_explain_why(documents):
    for document in documents:
        packages = document["packageAttachment"]["packages"]
        if document["status"] == "invoiced":
            assert sum(p["invoiceValue"] for p in packages) == document["value"]
            assert document["invoicedDate"]
        else:
            assert packages == []
        if document["status"] == "canceled":
            assert document["cancellationData"]["Reason"]


def test_the_same_seed_gives_the_same_store():
    first = generate_orders(OrderFactory(seed=3, account="a"), count=50, days=10, now=NOW)
    second = generate_orders(OrderFactory(seed=3, account="a"), count=50, days=10, now=NOW)
    other = generate_orders(OrderFactory(seed=4, account="a"), count=50, days=10, now=NOW)

    assert [order_document(o, account="a") for o in first] == [
        order_document(o, account="a") for o in second
    ]
    assert [o.order_id for o in first] != [o.order_id for o in other]


def test_server_resets_to_the_same_store_for_the_same_seed(sandbox):
    sandbox.reset(orders=20, seed=11)
    first = [sandbox.order(o["orderId"])["order"] for o in sandbox.orders()]
    sandbox.reset(orders=20, seed=11)
    second = [sandbox.order(o["orderId"])["order"] for o in sandbox.orders()]

    assert [_stable(d) for d in first] == [_stable(d) for d in second]


def test_five_thousand_orders_generate_quickly():
    factory = OrderFactory(seed=1, account="bench")

    # CPU time, not wall time: a CI machine shared with other jobs must not fail this.
    started = time.process_time()
    orders = generate_orders(factory, count=5000, days=30, now=NOW)
    elapsed = time.process_time() - started

    assert len({o.order_id for o in orders}) == 5000
    # About one second of CPU; the margin covers slower machines.
    assert elapsed < 2.5


def test_control_api_creates_orders_in_a_status_and_window(sandbox):
    ids = sandbox.create_orders(
        300,
        status="handling",
        created_from="2024-01-01T00:00:00Z",
        created_to="2024-01-31T23:59:59Z",
    )

    orders = {o["orderId"]: o for o in sandbox.orders(status="handling")}
    assert set(ids) == set(orders)
    assert all("2024-01" in orders[i]["creationDate"][:7] for i in ids)
