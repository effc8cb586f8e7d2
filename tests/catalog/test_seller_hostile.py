"""The seller endpoints against bytes no marketplace form would type (issue 17 §1): NUL (which
PostgreSQL refuses in text and jsonb), lone surrogates, control characters, huge cells, wrong
types, random bytes. Each is a 400 in VTEX's envelope naming the field, nothing written; never
a 500, never Django's HTML page (production settings: DEBUG off, the exception not re-raised
into the test), and an unexpected failure inside a seller view answers the envelope too.

The same cases run on PostgreSQL (``DATABASE_URL=postgres://...``): there a NUL that slipped
through is a 500, so ``test_*_on_postgresql`` is what proves the boundary holds."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.models import StockReservation
from orders.models import Order
from tests.catalog.seller_data import (
    GUIDE_SIMULATION,
    HEADERS,
    ORDERS,
    SIMULATION,
    catalog_load,
    placement,
)
from tests.catalog.test_seller import (  # noqa: F401 (the credentials fixture)
    _seller_credentials,
    cancellation,
    checked,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(name="production")
def production_fixture(settings) -> Iterator[tuple[Client, list[BaseException]]]:
    """A client as a marketplace meets the server in production: DEBUG off, a failure answered
    by the server's error path rather than raised into the test; every exception a request
    raised is collected."""
    settings.DEBUG = False
    raised: list[BaseException] = []

    def collect(sender, request=None, **kwargs):
        import sys

        raised.append(sys.exc_info()[1])

    got_request_exception.connect(collect)
    try:
        yield Client(raise_request_exception=False), raised
    finally:
        got_request_exception.disconnect(collect)


def send(client: Client, method: str, path: str, body: Any = None, *, raw: bytes | None = None):
    if method == "GET":
        return client.get(path, **HEADERS)
    data = raw if raw is not None else json.dumps(body)
    return client.post(path, data, content_type="application/json", **HEADERS)


def envelope(response) -> dict:
    """The answer is VTEX's JSON, never an HTML page; an error is the envelope."""
    assert response["Content-Type"] == "application/json", response.content[:300]
    body = response.json()
    if response.status_code != 200:
        error = body["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str)
    return body


def nothing_written() -> bool:
    return not Order.objects.exists() and not StockReservation.objects.exists()


def _set(body: Any, path: tuple, value: Any) -> Any:
    body = copy.deepcopy(body)
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return body


# --- Each field the issue names, and the path ----------------------------------------------------

NUL_IN_PLACEMENT = [
    (("items", 0, "id"), "2000\x00037", "items[0].id holds the control character U+0000"),
    (("clientProfileData", "document"), "3244\x00239851", "clientProfileData.document holds"),
    (("shippingData", "address", "street"), "Rua \x00A", "shippingData.address.street holds"),
    (("openTextField",), "\x00", "openTextField holds the control character U+0000"),
    (("marketingData", "utmSource"), "busca\x00pe", "marketingData.utmSource holds"),
    (("clientProfileData", "firstName"), "Jo\ud800nas", "half of a surrogate pair"),
    # Typed text refuses other control characters too; an id even tab and newline.
    (
        ("shippingData", "address", "street"),
        "Rua\x07A",
        "street holds the control character U+0007",
    ),
    (("clientProfileData", "lastName"), "Alves\x1b[2J", "lastName holds the control character"),
    (("items", 1, "id"), "34562\n", "items[1].id holds the control character U+000A"),
]


def _nul_cases_answer_400(client: Client, raised: list) -> None:
    catalog_load()
    for path, value, message in NUL_IN_PLACEMENT:
        response = send(client, "POST", ORDERS, _set(placement(), path, value))
        assert response.status_code == 400, (path, response.content[:300])
        assert message in envelope(checked(response, "POST", ORDERS))["error"]["message"]
        assert nothing_written()
    # A name (a JSON key) with NUL: PostgreSQL's jsonb refuses it as well.
    body = placement()
    body["marketingData"] = {"utm\x00Source": "x"}
    response = send(client, "POST", ORDERS, body)
    assert response.status_code == 400
    assert envelope(response)["error"]["message"].startswith("A name in marketingData holds")

    simulation = _set(GUIDE_SIMULATION, ("items", 0, "id"), "2000037\x00")
    response = send(client, "POST", SIMULATION, simulation)
    assert response.status_code == 400
    assert envelope(response)["error"]["message"] == (
        "items[0].id holds the control character U+0000"
    )
    context = quote(json.dumps(simulation))
    response = send(client, "GET", f"{SIMULATION}?purchaseContext={context}")
    assert response.status_code == 400
    assert (
        "items[0].id holds the control character U+0000" in envelope(response)["error"]["message"]
    )

    order = Order.objects.get(
        vtex_order_id=send(client, "POST", ORDERS, placement()).json()["orderId"]
    )
    for verb in ("fulfill", "cancel"):
        response = send(client, "POST", f"{ORDERS}/SLR-%00/{verb}", {"marketplaceOrderId": "x"})
        assert response.status_code == 400
        assert envelope(response)["error"]["message"] == (
            "The order id in the path holds the control character U+0000"
        )
    for field, value in (("reason", "Cliente\x00desistiu"), ("marketplaceOrderId", "13\x0000")):
        body = {**cancellation(order), field: value}
        response = send(client, "POST", f"{ORDERS}/{order.vtex_order_id}/cancel", body)
        assert response.status_code == 400
        assert envelope(response)["error"]["message"] == (
            f"{field} holds the control character U+0000"
        )
    order.refresh_from_db()
    assert order.status == "waiting-ffmt-authorization"
    # Tab and line breaks are typed text: a street with them is placed.
    body = _set(
        placement("1300000000077-01"), ("shippingData", "address", "street"), "Rua A\tB\r\n"
    )
    assert send(client, "POST", ORDERS, body).status_code == 200
    assert raised == []


def test_nul_and_control_characters_are_a_400_naming_the_field(production):
    _nul_cases_answer_400(*production)


def test_nul_and_control_characters_are_a_400_naming_the_field_on_postgresql(
    require_postgres, production
):
    _nul_cases_answer_400(*production)


# --- The error path under the seller endpoints ---------------------------------------------------


def test_an_unexpected_failure_in_a_seller_view_answers_the_envelope(production, monkeypatch):
    client, raised = production

    def broken(**kwargs):
        raise RuntimeError("a bug in the simulation")

    monkeypatch.setattr("catalog.seller.views.fulfillment_simulation", broken)
    response = send(client, "POST", SIMULATION, GUIDE_SIMULATION)

    assert response.status_code == 500
    assert envelope(response)["error"]["code"] == "INTERNAL_ERROR"
    # Nothing of the failure leaks into the answer; Django logged it (the signal fired).
    assert "bug" not in response.content.decode()
    assert [type(error) for error in raised] == [RuntimeError]


def test_a_request_django_refuses_before_the_view_answers_the_envelope(production, settings):
    client, _raised = production
    settings.ALLOWED_HOSTS = ["backoffice.example.com"]
    response = client.post(
        SIMULATION,
        json.dumps(GUIDE_SIMULATION),
        content_type="application/json",
        HTTP_HOST="evil.example.com",
        **HEADERS,
    )
    assert response.status_code == 400
    assert envelope(response)["error"]["code"] == "BAD_REQUEST"
    # Outside the seller endpoints Django's own pages answer, as before.
    page = client.get("/admin/", HTTP_HOST="evil.example.com")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


# --- Fuzz: whatever the marketplace sends, an answer in VTEX's JSON ------------------------------

HOSTILE_STRINGS = st.sampled_from(
    [
        "\x00",
        "SLR-\x00",
        "\ud800",
        "\udfff\ud800",
        "\x07\x08\x0b\x0c\x1b",
        "\x7f\x85\x9f",
        "\u202e\ufeff",
        "\t\r\n",
        "x" * 100_000,
        "9" * 5000,
        "\U0001d7d8\U0001d7d9\U0001d7da",  # mathematical digits
        "../../etc/passwd",
        "%00",
        "",
        " ",
    ]
)
TEXT = st.one_of(
    HOSTILE_STRINGS,
    # Surrogates (Cs) and control characters (Cc) among letters, digits, spaces, punctuation.
    st.text(st.characters(categories=["Cs", "Cc", "L", "N", "Z", "P", "S"]), max_size=40),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


def mutated(valid: Any) -> st.SearchStrategy:
    """``valid`` with one of its fields (at any depth) replaced by a hostile value, or a
    hostile field added, or replaced whole."""
    paths = _paths(valid)
    replaced = st.tuples(st.sampled_from(paths), VALUES).map(lambda change: _set(valid, *change))
    added = st.tuples(TEXT, VALUES).map(lambda extra: {**valid, extra[0]: extra[1]})
    return st.one_of(replaced, replaced, added, VALUES)


ENDPOINTS = ["simulation-post", "simulation-get", "placement", "fulfill", "cancel"]
REQUESTS = st.sampled_from(ENDPOINTS).flatmap(
    lambda endpoint: st.tuples(
        st.just(endpoint),
        st.one_of(
            mutated(
                GUIDE_SIMULATION
                if endpoint.startswith("simulation")
                else placement()
                if endpoint == "placement"
                else {"marketplaceOrderId": "1300000007919-01", "reason": "Desistiu"}
            ).map(lambda body: ("json", body)),
            st.binary(max_size=200).map(lambda raw: ("bytes", raw)),
        ),
        st.one_of(st.just("SLR-1300000007919-01"), st.just("1300000007919-01"), TEXT),
    )
)
ANSWERS = {200, 400, 404, 413}


def _fuzz_one(client: Client, raised: list, sent: tuple) -> None:
    endpoint, (kind, body), order_id = sent
    with transaction.atomic():
        catalog_load()
        send(client, "POST", ORDERS, placement())
        raw = body if kind == "bytes" else None
        if endpoint == "simulation-get":
            context = body.decode("latin-1") if kind == "bytes" else json.dumps(body)
            response = send(client, "GET", f"{SIMULATION}?purchaseContext={quote(context)}")
        elif endpoint == "simulation-post":
            response = send(client, "POST", SIMULATION, body, raw=raw)
        elif endpoint == "placement":
            response = send(client, "POST", ORDERS, body, raw=raw)
        else:
            # A lone surrogate goes on the wire as the bytes that encode it (invalid UTF-8).
            segment = quote(order_id.encode("utf-8", "surrogatepass"), safe="")
            path = f"{ORDERS}/{segment}/{endpoint}"
            response = send(client, "POST", path, body, raw=raw)
        transaction.set_rollback(True)
    assert raised == [], raised
    assert response.status_code in ANSWERS, (response.status_code, response.content[:300])
    envelope(response)


FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@FUZZ
@given(sent=REQUESTS)
def test_whatever_the_marketplace_sends_the_answer_is_vtex_json_and_never_a_500(production, sent):
    _fuzz_one(*production, sent)


@FUZZ
@given(sent=REQUESTS)
def test_whatever_the_marketplace_sends_postgresql_stores_it_or_it_is_refused(
    require_postgres, production, sent
):
    _fuzz_one(*production, sent)
