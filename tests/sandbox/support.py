"""Small helpers shared by the sandbox tests."""

from __future__ import annotations

ORDERS = "/api/oms/pvt/orders"


def new_order(sandbox, status: str = "ready-for-handling") -> str:
    return sandbox.create_orders(1, status=status)[0]


def get_order(sandbox, order_id: str) -> dict:
    response = sandbox.vtex("GET", f"{ORDERS}/{order_id}")
    assert response.status_code == 200, response.text
    return response.json()


def invoice_body(number: str, value, *, kind: str = "Output", **extra) -> dict:
    return {
        "type": kind,
        "issuanceDate": "2024-05-02T10:00:00",
        "invoiceNumber": number,
        "invoiceValue": value,
        "items": [{"id": "1", "price": 100, "quantity": 1}],
        **extra,
    }


def send_invoice(sandbox, order_id: str, number: str, value, **extra):
    return sandbox.vtex(
        "POST", f"{ORDERS}/{order_id}/invoice", json=invoice_body(number, value, **extra)
    )


def error_code(response) -> str:
    return response.json()["error"]["code"]


def handling_order(sandbox) -> tuple[str, int]:
    """A fresh order moved to handling, and its value."""
    order_id = new_order(sandbox)
    assert sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling").status_code == 204
    return order_id, get_order(sandbox, order_id)["value"]


def configure_feed(sandbox, *, statuses=None, visibility: float = 30, **filter_fields):
    flt = {"type": "FromWorkflow", "status": statuses} if statuses is not None else filter_fields
    response = sandbox.vtex(
        "POST",
        "/api/orders/feed/config",
        json={
            "filter": flt,
            "queue": {
                "visibilityTimeoutInSeconds": visibility,
                "MessageRetentionPeriodInSeconds": 345600,
            },
        },
    )
    assert response.status_code == 200, response.text


def take_feed(sandbox, max_lot: int = 10) -> list[dict]:
    response = sandbox.vtex("GET", "/api/orders/feed", params={"maxlot": max_lot})
    assert response.status_code == 200, response.text
    return response.json()


def drain_feed(sandbox) -> list[dict]:
    """Every visible feed item, committed."""
    items = []
    while batch := take_feed(sandbox):
        items.extend(batch)
        sandbox.vtex("POST", "/api/orders/feed", json={"handles": [i["handle"] for i in batch]})
    return items
