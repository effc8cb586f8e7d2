"""Every VTEX operation the client knows, called once with every optional field set: each
request is checked against VTEX's OpenAPI files by the `checked_operations` hook."""

from datetime import UTC, date, datetime

from tests.vtex.support import SUGGESTION, invoice_items, new_order
from vtex import OrderRef, wire

EVERY_OPERATION = {
    # Orders API
    "ListOrders",
    "GetOrder",
    "StartHandling",
    "CancelOrder",
    "InvoiceNotification",
    "Updatepartialinvoice.SendTrackingNumber",
    "UpdateTrackingStatus",
    "RegisterChange",
    "PreviewChange",
    "Createchange",
    "GetChangeHistory",
    "GetChangeDetail",
    "RetryChange",
    "CancelChangeStoppedonError",
    "GET /api/order-system/orders/changes/settings",
    "GetPaymenttransaction",
    "Getfeedorderstatus1",
    "Commititemfeedorderstatus",
    "GetFeedConfiguration",
    "FeedConfiguration",
    "FeedConfigurationDelete",
    "GetHookConfiguration",
    "HookConfiguration",
    "DeleteHookConfiguration",
    # Payments Gateway, SKU Bindings, Marketplace APIs, Suggestions
    "TransactionDetails",
    "POST /sku-binding/pvt/skuseller/changenotification/{sellerId}/{sellerSkuId}",
    "PriceNotification",
    "InventoryNotification",
    "SaveSuggestion",
    # Marketplace protocol, seller -> marketplace
    "send-invoice",
    "send-tracking-information",
    "update-tracking-status",
    "cancel-order-in-marketplace",
}
DISPATCHED = datetime(2024, 5, 3, 8, 15, tzinfo=UTC)
EVENTS = [
    {"city": "Rio de Janeiro", "state": "RJ", "description": "Coletado", "date": date(2024, 5, 3)},
    {"city": "Niterói", "state": "RJ", "description": "Entregue", "date": "2024-05-04"},
]


def _invoice_fields(document: dict, number: str, value: int) -> dict:
    return {
        "number": number,
        "value": value,
        "issued_at": datetime(2024, 5, 2, 10, tzinfo=UTC),
        "items": invoice_items(document),
        "key": "35240512345678000190550010000000011000000019",
        "url": "https://nfe.example/nf.xml",
        "embedded_xml": "<nfeProc/>",
        "courier": "Correios",
        "tracking_number": "BR1",
        "tracking_url": "https://rastreio.example/BR1",
        "dispatched_date": DISPATCHED,
    }


def _order_modifications(client, sandbox) -> None:
    """Every call of the Order Modifications API, each field of a change set once."""
    item = {"quantity": 0}
    while item["quantity"] < 2:  # removed once and replaced once
        changed = new_order(sandbox, "handling")
        [item, *_] = client.get_order(changed)["items"]
    line = [{"id": item["id"], "quantity": 1}]
    change = wire.change_body(
        reason="Ajuste",
        manual_discount=100,
        manual_increment=50,
        add=line,
        remove=line,
        replace=[(line, line)],
    )
    client.preview_change(changed, change=change)
    request_id = client.create_change(changed, change=change)["requestId"]
    client.get_change_history(changed)
    client.get_change_detail(changed, request_id)
    sandbox.set_options(change_stops=2)
    stopped = client.create_change(
        changed, change=wire.change_body(reason="Desconto", manual_discount=10)
    )["requestId"]
    client.retry_change(changed, stopped, reason="De novo")
    client.cancel_change(changed, stopped, reason="Desisto")
    client.get_change_settings()


def test_every_operation_sends_requests_valid_against_the_specs(
    client, sandbox, recorder, marketplace_order, checked_operations
):
    client.set_feed_config(statuses=["ready-for-handling", "handling"], visibility_timeout=60)
    client.get_feed_config()
    client.set_feed_config(expression='status = "handling"', disable_single_fire=True)
    client.set_hook_config(
        url=recorder.url, headers={"X-Backoffice-Hook-Secret": "s3cr3t"}, statuses=["handling"]
    )
    client.get_hook_config()

    order_id = new_order(sandbox)
    created = datetime.fromisoformat(client.get_order(order_id)["creationDate"])
    list(client.iter_order_pages(statuses=["ready-for-handling"], created_from=created))
    client.list_orders(created_to=datetime.now(UTC), order_by="orderId,desc", page=1, per_page=5)
    transaction = client.get_payment_transaction(order_id)
    client.get_transaction_details(transaction["transactionId"])
    client.start_handling(order_id)
    client.register_change(
        order_id,
        request_id="chg-1",
        reason="Troca de item",
        items_removed=[
            {"id": invoice_items(client.get_order(order_id))[0]["id"], "price": 100, "quantity": 1}
        ],
        items_added=[{"id": "9999", "price": 100, "quantity": 1}],
    )
    _order_modifications(client, sandbox)
    document = client.get_order(order_id)
    client.send_invoice(order_id, **_invoice_fields(document, "NF-1", document["value"]))
    client.update_invoice_tracking(
        order_id,
        "NF-1",
        tracking_number="BR2",
        tracking_url="https://rastreio.example/BR2",
        courier="Jadlog",
        dispatched_date=DISPATCHED,
    )
    client.send_tracking_events(
        order_id, "NF-1", is_delivered=True, events=EVENTS, delivered_date=DISPATCHED
    )
    client.cancel_order(new_order(sandbox), reason="Sem estoque")
    for item in client.get_feed_items(max_lot=10):
        client.commit_feed_items([item["handle"]])

    sandbox.set_bindings(["100"], seller_id="seller1")
    client.notify_sku_change(seller_id="seller1", sku_id="100")
    client.notify_sku_change(seller_id="seller1", sku_id="200")
    client.send_sku_suggestion(seller_id="seller1", seller_sku_id="200", suggestion=SUGGESTION)
    client.notify_price_change(seller_id="seller1", sku_id="100")
    client.notify_inventory_change(seller_id="seller1", sku_id="100")

    mkp_id = marketplace_order["id"]
    at_marketplace = OrderRef(mkp_id, marketplace_order["endpoint"])
    fields = _invoice_fields(document, "NF-M", marketplace_order["value"])
    fields["items"] = [{"id": "100", "price": 2500, "quantity": 2}]
    client.send_invoice(at_marketplace, **fields)
    client.update_invoice_tracking(
        at_marketplace,
        "NF-M",
        courier="Correios",
        tracking_number="BR3",
        tracking_url="https://rastreio.example/BR3",
        dispatched_date=DISPATCHED,
    )
    client.send_tracking_events(at_marketplace, "NF-M", is_delivered=False, events=EVENTS)
    fields.update(invoice_type="Input", number="DEV-M")
    client.send_invoice(at_marketplace, **fields)
    client.cancel_order(at_marketplace, reason="Devolvido")

    client.delete_hook_config()
    client.delete_feed_config()

    assert set(checked_operations) == EVERY_OPERATION
    assert sandbox.marketplace_order(mkp_id)["status"] == "canceled"
    assert client.get_order(order_id)["status"] == "invoiced"
