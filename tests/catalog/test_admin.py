"""The catalog in the admin: the SKU list and page with binding, suggestion state and history;
"notify change", "send suggestion" and "check suggestion" as buttons and list actions, and who
may use them; an edit of price or stock queues its notification; shipping rules."""

import json

import pytest
from django.urls import reverse

from catalog.models import (
    Binding,
    NotificationKind,
    ShippingRule,
    Sku,
    SkuChangeNotification,
    SkuSuggestion,
    SuggestionState,
)
from outbox.models import VtexCommand
from tests.catalog.factories import ShippingRuleFactory, SkuFactory
from tests.catalog.support import CHANGE, SELLER_ID, deliver_all, suggestions_received
from tests.orders.operations import messages_of

pytestmark = pytest.mark.django_db

SKU_LIST = reverse("admin:catalog_sku_changelist")


def sku_page(sku: Sku) -> str:
    return reverse("admin:catalog_sku_change", args=[sku.pk])


def button(sku: Sku, name: str) -> str:
    return reverse(f"admin:catalog_sku_op_{name.replace('-', '_')}", args=[sku.pk])


def typed(cents: int) -> str:
    """An amount as an operator types it in a money field: ``199,90``."""
    return f"{cents // 100},{cents % 100:02d}"


def sku_form(sku: Sku, **changes) -> dict:
    data = {
        "name": sku.name,
        "product_name": sku.product_name,
        "product_id": sku.product_id,
        "description": sku.description,
        "brand": sku.brand,
        "category_path": sku.category_path,
        "ean": sku.ean,
        "ref_id": sku.ref_id,
        "price": typed(sku.price),
        "list_price": typed(sku.list_price),
        "stock": sku.stock,
        "active": "on" if sku.active else "",
        "weight_kg": sku.weight_kg,
        "height_cm": sku.height_cm,
        "width_cm": sku.width_cm,
        "length_cm": sku.length_cm,
        "images": json.dumps(sku.images),
        "specifications": json.dumps(sku.specifications),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_the_sku_page_shows_binding_suggestions_notifications_and_commands(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    sku = SkuFactory(sku_id="7001")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(button(sku, "notify-change"))
    deliver_all()

    assert response.status_code == 302
    assert "Change notification queued for: 7001." in messages_of(response)
    page = client.get(sku_page(sku)).content.decode()
    assert 'data-state="suggested"' in page
    assert 'data-suggestion-state="sent"' in page
    assert 'data-outcome="not-bound"' in page
    assert page.count('data-command-state="succeeded"') == 2
    # Command keys start with the SKU's id: the command list finds them by it.
    assert "sku:7001:sku-change-notification:" in page and "sku:7001:sku-suggestion:" in page
    assert "subject_id__exact=" in page
    assert len(suggestions_received(vtex_store, sku)) == 1


def test_send_suggestion_names_every_missing_field_and_sends_nothing(vtex_store, login, client):
    login("Operations")
    sku = SkuFactory(sku_id="7002", brand="", images=[], height_cm=None)

    response = client.post(button(sku, "send-suggestion"), follow=True)

    # On the SKU's own page the reason is said alone (the list names each refused SKU).
    assert "Not sent to the marketplace: missing Brand, Height (cm), Images." in messages_of(
        response
    )
    assert not SkuSuggestion.objects.exists()
    assert not VtexCommand.objects.exists()
    page = response.content.decode()
    assert (
        "A suggestion cannot be sent yet" in page and "missing Brand, Height (cm), Images" in page
    )


def test_send_suggestion_from_the_list_queues_each_sku_and_refuses_the_incomplete(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    complete = SkuFactory(sku_id="7003")
    incomplete = SkuFactory(sku_id="7004", description="")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SKU_LIST,
            {
                "action": "send_suggestion_selected",
                "_selected_action": [complete.pk, incomplete.pk],
            },
            follow=True,
        )
    deliver_all()

    shown = messages_of(response)
    assert "Suggestion queued for: 7003." in shown
    assert "7004 refused: Not sent to the marketplace: missing Description." in shown
    assert [s["sellerSkuId"] for s in vtex_store.suggestions()] == ["7003"]
    assert SkuSuggestion.objects.get(sku=complete).state == SuggestionState.SENT


def test_a_second_click_queues_nothing_more(vtex_store, login, client):
    login("Operations")
    sku = SkuFactory(sku_id="7005")

    client.post(button(sku, "notify-change"))
    response = client.post(button(sku, "notify-change"), follow=True)

    assert "Already queued earlier, nothing new sent for: 7005." in messages_of(response)
    assert VtexCommand.objects.count() == SkuChangeNotification.objects.count() == 1


def test_check_suggestion_shows_the_marketplaces_approval(
    vtex_store, login, client, django_capture_on_commit_callbacks
):
    login("Operations")
    sku = SkuFactory(sku_id="7006")
    client.post(button(sku, "send-suggestion"))
    deliver_all()
    vtex_store.approve_suggestion(SELLER_ID, "7006")

    response = client.post(button(sku, "check-suggestion"), follow=True)
    deliver_all()

    assert "Suggestion check queued for: 7006." in messages_of(response)
    sku.refresh_from_db()
    assert sku.binding == Binding.BOUND
    page = client.get(sku_page(sku)).content.decode()
    assert 'data-state="bound"' in page and 'data-suggestion-state="bound"' in page


def test_an_edit_of_price_or_stock_in_the_admin_notifies_the_marketplace(vtex_store, login, client):
    login("Operations")
    sku = SkuFactory(sku_id="7007", price=24990, list_price=29990, stock=12)

    response = client.post(sku_page(sku), sku_form(sku, price="199,90", stock=5), follow=True)
    deliver_all()

    assert response.status_code == 200
    sku.refresh_from_db()
    assert (sku.price, sku.stock) == (19990, 5)
    [notification] = SkuChangeNotification.objects.filter(sku=sku)
    assert notification.kind == NotificationKind.CHANGE
    assert "price R$ 249.90 → R$ 199.90" in notification.reason
    assert [c["path"] for c in vtex_store.calls(method="POST", path_contains=CHANGE)] == [
        f"{CHANGE}7007"
    ]


def test_a_list_price_below_the_price_is_refused_by_the_form(vtex_store, login, client):
    login("Operations")
    sku = SkuFactory(sku_id="7008", price=24990, list_price=29990)

    response = client.post(sku_page(sku), sku_form(sku, list_price="240,00"))

    assert response.status_code == 200
    assert "The list price cannot be below the price (0: no list price)." in (
        response.content.decode()
    )
    sku.refresh_from_db()
    assert sku.list_price == 29990
    assert not VtexCommand.objects.exists()


def test_an_ean_with_letters_or_a_wrong_check_digit_is_refused_by_the_form(login, client):
    login("Operations")
    sku = SkuFactory(sku_id="7009", ean="7891000315507")

    for ean, message in (
        ("78910A0315507", "An EAN has 8, 12, 13 or 14 digits and nothing else"),
        ("7891000315508", "The EAN 7891000315508 has a wrong check digit"),
    ):
        response = client.post(sku_page(sku), sku_form(sku, ean=ean))
        assert response.status_code == 200
        assert message in response.content.decode()
    response = client.post(sku_page(sku), sku_form(sku, ean="96385074"))  # a valid EAN-8
    assert response.status_code == 302
    sku.refresh_from_db()
    assert sku.ean == "96385074"


def test_the_list_shows_binding_and_latest_suggestion_and_filters_by_them(login, client):
    login("Viewer")
    SkuFactory(sku_id="7009", binding=Binding.BOUND)
    denied = SkuFactory(sku_id="7010", binding=Binding.DENIED)
    SkuSuggestion.objects.create(sku=denied, state=SuggestionState.DENIED)

    page = client.get(SKU_LIST).content.decode()
    assert 'data-state="bound"' in page and 'data-state="denied"' in page
    assert "sku-suggestion" in page

    filtered = client.get(SKU_LIST, {"suggestion": "denied"}).content.decode()
    assert "7010" in filtered and "7009" not in filtered
    assert "7009" in client.get(SKU_LIST, {"binding__exact": "bound"}).content.decode()
    # Only declared filters (backoffice.admin_site).
    assert client.get(SKU_LIST, {"description__icontains": "x"}).status_code == 400


@pytest.mark.parametrize("group", ["Finance", "Viewer"])
def test_only_operations_notify_and_suggest(vtex_store, login, client, group):
    login(group)
    sku = SkuFactory(sku_id="7011")

    page = client.get(sku_page(sku)).content.decode()
    assert "data-operation=" not in page
    actions = client.get(SKU_LIST).content.decode()
    assert "notify_change_selected" not in actions and "send_suggestion_selected" not in actions
    for name in ("notify-change", "send-suggestion", "check-suggestion"):
        assert client.post(button(sku, name)).status_code == 403
    assert client.post(sku_page(sku), sku_form(sku, price=1)).status_code == 403
    assert not VtexCommand.objects.exists()


def test_operations_see_every_button_and_action(login, client):
    login("Operations")
    sku = SkuFactory(sku_id="7012")

    page = client.get(sku_page(sku)).content.decode()
    for name in ("notify-change", "send-suggestion"):
        assert f'data-operation="{name}"' in page
    # "Check suggestion" only while a suggestion waits for the marketplace's decision.
    assert 'data-operation="check-suggestion"' not in page
    SkuSuggestion.objects.create(sku=sku, state=SuggestionState.SENT)
    assert 'data-operation="check-suggestion"' in client.get(sku_page(sku)).content.decode()
    actions = client.get(SKU_LIST).content.decode()
    assert "notify_change_selected" in actions and "send_suggestion_selected" in actions
    assert client.get(button(sku, "notify-change")).status_code == 405


def test_operations_manage_shipping_rules_and_viewers_only_read_them(login, client):
    rules = reverse("admin:catalog_shippingrule_changelist")
    add = reverse("admin:catalog_shippingrule_add")
    login("Operations", username="ops")
    response = client.post(
        add,
        {
            "name": "Expressa",
            "delivery_channel": "delivery",
            "postal_code_from": "01000000",
            "postal_code_to": "05999999",
            "price": "24,90",
            "shipping_estimate": "1",
            "active": "on",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        add,
        {
            "name": "Normal",
            "delivery_channel": "delivery",
            "postal_code_from": "0100",
            "price": "9,90",
            "shipping_estimate": "4 dias",
        },
    )
    assert bad.status_code == 200
    content = bad.content.decode()
    assert "Enter the CEP as 8 digits, without the hyphen." in content
    assert "Type the number of business days, from 1 to 90." in content
    no_range = client.post(
        add,
        {
            "name": "Normal",
            "delivery_channel": "delivery",
            "price": "9,90",
            "shipping_estimate": "4",
        },
    )
    assert "A default rule has no CEP range; any other rule needs both CEPs" in (
        no_range.content.decode()
    )
    ShippingRuleFactory()
    assert ShippingRule.objects.count() == 2
    listing = client.get(rules).content.decode()
    assert "01000-000" in listing and "Every other CEP" in listing and "R$ 24.90" in listing

    login("Viewer", username="viewer")
    assert client.get(rules).status_code == 200
    assert client.get(add).status_code == 403


def test_a_sku_added_in_the_admin_is_offered_to_the_marketplace(vtex_store, login, client):
    login("Operations")
    template = SkuFactory.build(sku_id="7013")

    response = client.post(
        reverse("admin:catalog_sku_add"), {"sku_id": "7013", **sku_form(template)}, follow=True
    )
    deliver_all()

    assert response.status_code == 200
    sku = Sku.objects.get(sku_id="7013")
    assert SkuChangeNotification.objects.get(sku=sku).reason == "SKU created"
    assert sku.binding == Binding.SUGGESTED
    assert [s["sellerSkuId"] for s in vtex_store.suggestions()] == ["7013"]


def test_an_inactive_sku_is_neither_notified_nor_suggested(vtex_store, login, client):
    login("Operations")
    sku = SkuFactory(sku_id="7014", active=False)

    notify = client.post(button(sku, "notify-change"), follow=True)
    suggest = client.post(button(sku, "send-suggestion"), follow=True)

    assert "The SKU is inactive: activate it before offering it to the marketplace." in messages_of(
        notify
    )
    assert "The SKU is inactive: activate it before suggesting it." in messages_of(suggest)
    assert not VtexCommand.objects.exists()


def test_viewers_read_suggestions_and_notifications(login, client):
    login("Viewer")
    sku = SkuFactory(sku_id="7015")
    suggestion = SkuSuggestion.objects.create(
        sku=sku, state=SuggestionState.SENT, payload={"SkuName": "Garrafa verde"}
    )
    SkuChangeNotification.objects.create(sku=sku, kind=NotificationKind.PRICE, reason="preço")

    suggestions = client.get(reverse("admin:catalog_skusuggestion_changelist"), {"state": "sent"})
    page = client.get(reverse("admin:catalog_skusuggestion_change", args=[suggestion.pk]))
    notifications = client.get(
        reverse("admin:catalog_skuchangenotification_changelist"), {"q": "7015"}
    )

    assert suggestions.status_code == page.status_code == notifications.status_code == 200
    assert "7015" in suggestions.content.decode()
    assert "Garrafa verde" in page.content.decode()
    assert "preço" in notifications.content.decode()
    assert client.get(reverse("admin:catalog_skusuggestion_add")).status_code == 403


def test_prices_are_typed_in_reais_and_shown_the_same_way(vtex_store, login, client):
    login("Operations")
    sku = SkuFactory(sku_id="7020", price=4990, list_price=0)
    page = client.get(sku_page(sku)).content.decode()
    assert 'name="price" value="49.90"' in page

    for price, cents in (("55", 5500), ("R$ 55,90", 5590), ("55.90", 5590), ("59,9", 5990)):
        response = client.post(sku_page(sku), sku_form(sku, price=price, list_price="1.055,90"))
        assert response.status_code == 302, response.content.decode()
        sku.refresh_from_db()
        assert (sku.price, sku.list_price) == (cents, 105590)

    page = client.get(sku_page(sku)).content.decode()
    assert 'name="price" value="59.90"' in page
    assert 'name="list_price" value="1,055.90"' in page


def test_a_price_that_is_no_amount_is_refused_saying_how_to_write_it(vtex_store, login, client):
    login("Operations")
    sku = SkuFactory(sku_id="7021", price=4990)

    response = client.post(sku_page(sku), sku_form(sku, price="55,901"))

    assert response.status_code == 200
    assert "is not an amount in reais: write it as 55, 55,90, 1.055,90 or R$ 55,90." in (
        response.content.decode()
    )
    sku.refresh_from_db()
    assert sku.price == 4990
    assert not VtexCommand.objects.exists()


def test_a_big_price_change_is_saved_and_sent_only_once_confirmed(
    vtex_store, login, client, settings
):
    settings.CATALOG_PRICE_CHANGE_CONFIRM_SHARE = 0.5
    login("Operations")
    sku = SkuFactory(sku_id="7022", binding=Binding.BOUND, price=54990, list_price=59990)

    # A zero forgotten: R$ 549,90 typed as 55.
    response = client.post(sku_page(sku), sku_form(sku, price="55"))
    deliver_all()

    assert response.status_code == 200
    page = response.content.decode()
    assert "This changes the price R$ 549.90 → R$ 55.00: more than 50 % at once." in page
    assert 'type="checkbox" name="confirm_price_change"' in page
    sku.refresh_from_db()
    assert sku.price == 54990
    assert not VtexCommand.objects.exists() and not SkuChangeNotification.objects.exists()
    assert vtex_store.calls(method="POST", path_contains="/api/notificator/") == []

    # The list price moving by less than half asks nothing: an edit within the share saves.
    response = client.post(sku_page(sku), sku_form(sku, list_price="700,00"))
    assert response.status_code == 302
    deliver_all()
    vtex_store.clear_calls()

    response = client.post(sku_page(sku), sku_form(sku, price="55", confirm_price_change="on"))
    deliver_all()

    assert response.status_code == 302
    sku.refresh_from_db()
    assert sku.price == 5500
    price_calls = vtex_store.calls(method="POST", path_contains="/price")
    assert [call["path"] for call in price_calls] == [
        f"/api/notificator/{SELLER_ID}/changenotification/7022/price"
    ]
    assert SkuChangeNotification.objects.filter(
        sku=sku, kind=NotificationKind.PRICE, reason__contains="R$ 549.90 → R$ 55.00"
    ).exists()


def test_a_shipping_rules_price_is_typed_in_reais(login, client):
    login("Operations")
    rule = ShippingRuleFactory(price=990)
    url = reverse("admin:catalog_shippingrule_change", args=[rule.pk])
    assert 'name="price" value="9.90"' in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "name": rule.name,
            "delivery_channel": rule.delivery_channel,
            "is_default": "on" if rule.is_default else "",
            "postal_code_from": rule.postal_code_from,
            "postal_code_to": rule.postal_code_to,
            "price": "R$ 1.049,50",
            "shipping_estimate": "7",
            "active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()
    rule.refresh_from_db()
    assert rule.price == 104950
