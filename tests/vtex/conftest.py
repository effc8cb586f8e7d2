"""Fixtures of the client tests: a VtexClient on the loopback sandbox, every request it sends
checked against VTEX's OpenAPI files (the suite clears the 429 pause between tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.fixtures.recorder import RecordingServer
from tests.vtex.support import check_request, make_config
from vtex import VtexClient
from vtex.process import process_session


@pytest.fixture
def checked_operations() -> Iterator[list[str]]:
    """Every request a client sends during the test is checked against VTEX's specs (a
    response hook on the process's session); the checked operation ids are collected here."""
    checked: list[str] = []

    def check(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        checked.append(check_request(response.request))

    hooks = process_session().hooks["response"]
    hooks.append(check)
    yield checked
    hooks.remove(check)


@pytest.fixture
def make_client(sandbox, checked_operations) -> Callable[..., VtexClient]:
    def build(**overrides: Any) -> VtexClient:
        return VtexClient(make_config(sandbox, **overrides))

    return build


@pytest.fixture
def client(make_client) -> VtexClient:
    return make_client()


@pytest.fixture
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.close()


@pytest.fixture
def seller() -> Iterator[RecordingServer]:
    """A fake external seller: accepts every order placement with its own order id."""

    def answer(request: dict) -> tuple[int, object]:
        if request["path"] == "/pvt/orders":
            placed = request["body"]
            return 200, {**placed, "orderId": f"SLR-{placed['marketplaceOrderId']}"}
        return 200, {}

    server = RecordingServer(answer)
    yield server
    server.close()


@pytest.fixture
def marketplace_order(sandbox, seller) -> dict:
    """A marketplace order placed at the seller: its id, services endpoint and value."""
    placed = sandbox.marketplace_place_order(
        seller.url, [{"id": "100", "quantity": 2, "price": 2500}], shipping_price=1000
    )
    placement = seller.requests[-1]["body"]
    return {
        "id": placed["marketplaceOrderId"],
        "endpoint": placement["marketplaceServicesEndpoint"],
        "value": placement["marketplacePaymentValue"],
    }
