"""The catalog's conversation with the marketplace, against the sandbox over HTTP: a change
notification answered 404 leads to a suggestion (built from the SKU once it has everything
VTEX requires, else the missing fields named), one answered 200 binds the SKU, a bound SKU's
price and stock go to the notificator, and the marketplace's approval or denial of a
suggestion (played in the sandbox) shows in the SKU's state."""

from decimal import Decimal

import pytest
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from catalog.models import (
    Binding,
    NotificationKind,
    NotificationOutcome,
    Sku,
    SkuChangeNotification,
    SkuSuggestion,
    StockReservation,
    SuggestionState,
)
from catalog.services.suggestions import suggestion_send, suggestions_check
from catalog.tasks import SUGGESTIONS_CHECK, suggestions_check_task
from core.actor import Actor
from tests.catalog.factories import SkuFactory
from tests.catalog.support import CHANGE, SELLER_ID, deliver_all, saved, suggestions_received
from tests.orders.factories import OrderFactory

pytestmark = pytest.mark.django_db


def refreshed(sku: Sku) -> Sku:
    sku.refresh_from_db()
    return sku


def suggested(store) -> Sku:
    """A SKU the marketplace did not know, suggested to it and waiting for its decision."""
    sku = saved(SkuFactory.build())
    deliver_all()
    assert refreshed(sku).binding == Binding.SUGGESTED
    return sku


def check_suggestions() -> int:
    with transaction.atomic():
        queued = suggestions_check(source=Actor.RECONCILE)
    deliver_all()
    return queued


def test_a_sku_the_marketplace_does_not_know_is_suggested(vtex_store):
    sku = saved(SkuFactory.build(sku_id="5001", stock=12, price=24990))

    deliver_all()

    notified = vtex_store.calls(method="POST", path_contains=CHANGE)
    assert [(call["path"], call["status"]) for call in notified] == [(f"{CHANGE}5001", 404)]
    [put] = suggestions_received(vtex_store, sku)
    assert put["status"] == 200
    body = put["body"]
    assert (body["SellerId"], body["SkuName"], body["BrandName"]) == (
        SELLER_ID,
        sku.name,
        "Stanley",
    )
    assert (body["Height"], body["Width"], body["Length"], body["Weight"]) == (31, 10, 10, 700)
    assert body["AvailableQuantity"] == 12
    assert body["Pricing"] == {"Currency": "BRL", "SalePrice": 24990, "CurrencySymbol": "R$"}
    assert body["EAN"] == "7891000315507"
    assert body["Images"] == [
        {"imageName": "5001-1", "imageUrl": "https://img.example.com/5001.jpg"}
    ]
    [pending] = vtex_store.suggestions()
    assert (pending["sellerId"], pending["sellerSkuId"]) == (SELLER_ID, "5001")

    assert refreshed(sku).binding == Binding.SUGGESTED
    [suggestion] = SkuSuggestion.objects.filter(sku=sku)
    assert suggestion.state == SuggestionState.SENT
    assert suggestion.sent_at is not None
    assert suggestion.payload == body
    [notification] = SkuChangeNotification.objects.filter(sku=sku)
    assert (notification.kind, notification.outcome) == (
        NotificationKind.CHANGE,
        NotificationOutcome.NOT_BOUND,
    )


def test_a_sku_the_marketplace_binds_is_marked_bound(vtex_store):
    vtex_store.set_bindings(["5002"], seller_id=SELLER_ID)

    sku = saved(SkuFactory.build(sku_id="5002"))
    deliver_all()

    notified = vtex_store.calls(method="POST", path_contains=CHANGE)
    assert [(call["path"], call["status"]) for call in notified] == [(f"{CHANGE}5002", 200)]
    assert suggestions_received(vtex_store, sku) == []
    assert refreshed(sku).binding == Binding.BOUND
    assert sku.binding_checked_at is not None
    assert SkuChangeNotification.objects.get(sku=sku).outcome == NotificationOutcome.BOUND
    assert not SkuSuggestion.objects.exists()


def test_another_sellers_sku_of_the_same_number_does_not_bind_ours(vtex_store):
    # The marketplace binds SKU 5004 of another seller (its own SKU numbers overlap ours):
    # ours is unknown to it, and is suggested, not marked bound.
    vtex_store.set_bindings(["5004"], seller_id="outro-seller")

    sku = saved(SkuFactory.build(sku_id="5004"))
    deliver_all()

    notified = vtex_store.calls(method="POST", path_contains="/changenotification/")
    assert [(call["path"], call["status"]) for call in notified] == [(f"{CHANGE}5004", 404)]
    assert refreshed(sku).binding == Binding.SUGGESTED
    assert [put["status"] for put in suggestions_received(vtex_store, sku)] == [200]


def test_a_bound_skus_price_and_stock_go_to_the_notificator(vtex_store):
    sku = SkuFactory(sku_id="5003", binding=Binding.BOUND, price=24990, list_price=0, stock=4)

    sku.price, sku.stock = 19990, 0
    saved(sku)
    deliver_all()

    notificator = vtex_store.calls(method="POST", path_contains="/api/notificator/")
    assert sorted((call["path"], call["status"]) for call in notificator) == [
        (f"/api/notificator/{SELLER_ID}/changenotification/5003/inventory", 202),
        (f"/api/notificator/{SELLER_ID}/changenotification/5003/price", 202),
    ]
    assert vtex_store.calls(method="POST", path_contains=CHANGE) == []
    notifications = {n.kind: n for n in SkuChangeNotification.objects.filter(sku=sku)}
    assert set(notifications) == {NotificationKind.PRICE, NotificationKind.INVENTORY}
    assert {n.outcome for n in notifications.values()} == {NotificationOutcome.ACCEPTED}
    assert "R$ 249.90 → R$ 199.90" in notifications[NotificationKind.PRICE].reason
    assert "stock 4 → 0" in notifications[NotificationKind.PRICE].reason
    assert refreshed(sku).binding == Binding.BOUND


def test_a_bound_skus_other_changes_are_a_change_notification(vtex_store):
    vtex_store.set_bindings(["5004"], seller_id=SELLER_ID)
    sku = SkuFactory(sku_id="5004", binding=Binding.BOUND)

    sku.description = "Nova descrição"
    saved(sku)
    deliver_all()

    assert [c["status"] for c in vtex_store.calls(method="POST", path_contains=CHANGE)] == [200]
    assert vtex_store.calls(method="POST", path_contains="/api/notificator/") == []


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("product_name", "", "Product name"),
        ("name", "", "SKU name"),
        ("description", "", "Description"),
        ("brand", "", "Brand"),
        ("category_path", "", "Category"),
        ("height_cm", None, "Height (cm)"),
        ("width_cm", Decimal("0"), "Width (cm)"),
        ("length_cm", None, "Length (cm)"),
        ("weight_kg", None, "Weight (kg)"),
        ("images", [], "Images"),
        ("price", 0, "Price (cents)"),
        ("ean", "", "EAN or Reference id"),
    ],
)
def test_a_sku_missing_a_required_field_is_not_suggested_and_the_field_is_named(
    vtex_store, field, value, named
):
    sku = SkuFactory.build(sku_id="5005", ref_id="")
    setattr(sku, field, value)

    saved(sku)
    deliver_all()

    assert [c["status"] for c in vtex_store.calls(method="POST", path_contains=CHANGE)] == [404]
    assert suggestions_received(vtex_store, sku) == []
    assert vtex_store.suggestions() == []
    [suggestion] = SkuSuggestion.objects.filter(sku=sku)
    assert suggestion.state == SuggestionState.FAILED
    assert suggestion.last_error == f"Not sent to the marketplace: missing {named}."
    assert SkuChangeNotification.objects.get(sku=sku).detail == suggestion.last_error
    assert refreshed(sku).binding == Binding.NOT_BOUND


def test_every_missing_field_is_named_at_once(vtex_store):
    sku = SkuFactory.build(brand="", images=[], weight_kg=None)

    saved(sku)
    deliver_all()

    assert SkuSuggestion.objects.get(sku=sku).last_error == (
        "Not sent to the marketplace: missing Brand, Weight (kg), Images."
    )


def test_the_marketplaces_approval_binds_the_sku(vtex_store):
    sku = suggested(vtex_store)
    # Not decided yet: the check finds the suggestion pending and changes nothing.
    assert check_suggestions() == 1
    assert (
        vtex_store.calls(method="GET", path_contains=f"/suggestions/{SELLER_ID}/")[-1]["status"]
        == 200
    )
    assert refreshed(sku).binding == Binding.SUGGESTED
    assert SkuSuggestion.objects.get(sku=sku).state == SuggestionState.SENT

    vtex_store.approve_suggestion(SELLER_ID, sku.sku_id)
    assert check_suggestions() == 1

    assert (
        vtex_store.calls(method="GET", path_contains=f"/suggestions/{SELLER_ID}/")[-1]["status"]
        == 404
    )
    assert vtex_store.calls(method="POST", path_contains=CHANGE)[-1]["status"] == 200
    assert refreshed(sku).binding == Binding.BOUND
    suggestion = SkuSuggestion.objects.get(sku=sku)
    assert suggestion.state == SuggestionState.BOUND
    assert suggestion.decided_at is not None
    # Nothing is left to check.
    assert check_suggestions() == 0


def test_the_marketplaces_denial_shows_on_the_sku_and_nothing_is_suggested_again(vtex_store):
    sku = suggested(vtex_store)

    vtex_store.deny_suggestion(SELLER_ID, sku.sku_id)
    check_suggestions()

    assert refreshed(sku).binding == Binding.DENIED
    assert SkuSuggestion.objects.get(sku=sku).state == SuggestionState.DENIED
    assert SkuChangeNotification.objects.filter(sku=sku).first().detail == (
        "The marketplace denied the suggestion."
    )
    # A later change is notified, but a denied SKU waits for an operator to suggest it again.
    sku.stock = 3
    saved(sku)
    deliver_all()
    assert len(suggestions_received(vtex_store, sku)) == 1
    assert refreshed(sku).binding == Binding.DENIED


def test_the_suggestion_check_is_a_declared_periodic_task():
    task = PeriodicTask.objects.get(task=SUGGESTIONS_CHECK)
    assert task.enabled
    assert task.interval.every == 900


@pytest.mark.django_db(transaction=True)
def test_the_periodic_check_runs_as_beat_runs_it(vtex_store):
    sku = saved(SkuFactory.build(sku_id="5006"))
    deliver_all()
    vtex_store.deny_suggestion(SELLER_ID, "5006")

    # Beat calls the task by name, outside any transaction, with its lock; delivery is eager.
    assert suggestions_check_task.apply().get() == 1
    deliver_all()

    assert refreshed(sku).binding == Binding.DENIED
    assert SkuSuggestion.objects.get(sku=sku).state == SuggestionState.DENIED


def test_the_suggested_quantity_leaves_out_what_placed_orders_hold(vtex_store):
    sku = SkuFactory(sku_id="5007", stock=12)
    StockReservation.objects.create(sku=sku, order=OrderFactory(), quantity=3)
    released = StockReservation.objects.create(sku=sku, order=OrderFactory(), quantity=5)
    released.released_at = released.created_at
    released.save()

    with transaction.atomic():
        suggestion_send(sku=sku, source=Actor.ADMIN)
    deliver_all()

    [put] = suggestions_received(vtex_store, sku)
    assert put["body"]["AvailableQuantity"] == 9
