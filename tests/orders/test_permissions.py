"""Operator groups: Operations runs everything, Finance invoices and tracks, Viewer only
reads, with customers' e-mail, document and phone masked."""

import html
import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from orders.models import OrderEvent
from orders.selectors.customers import mask_all, mask_email, mask_name, mask_postal_code, mask_tail
from outbox.models import CommandAttempt, CommandState, VtexCommand
from tests.orders.factories import InvoiceFactory, OrderFactory, OrderItemFactory
from tests.orders.operations import (
    COMMAND_LIST,
    ORDER_LIST,
    mirrored_orders,
    operation_url,
    order_page,
    post_action,
    refresh_then_invoice_with_lost_answer,
)

pytestmark = pytest.mark.django_db

OPERATIONS = ["start-handling", "invoice", "tracking-number", "tracking-events", "cancel"]
ALL_OPERATIONS = [*OPERATIONS, "return-and-cancel", "change", "refresh"]


def customer_order(**fields):
    order = OrderFactory(
        customer_email="joana.silva@example.com",
        customer_document="52998224725",
        customer_phone="+5511987654321",
        **fields,
    )
    OrderItemFactory(order=order, position=0)
    return order


def list_actions(client, url=ORDER_LIST) -> set[str]:
    """The actions the changelist offers (none at all: no action form)."""
    form = client.get(url).context["action_form"]
    if form is None:
        return set()
    return {name for name, _label in form.fields["action"].choices if name}


def test_the_groups_hold_the_documented_permissions():
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    actions = {
        "start_handling_order",
        "invoice_order",
        "track_order",
        "cancel_order",
        "register_order_change",
        "refresh_order",
        "retry_vtexcommand",
        "resolve_vtexcommand",
    }
    assert actions | {"view_customer_pii", "view_order"} <= codenames("Operations")
    assert codenames("Finance") & actions == {"invoice_order", "track_order"}
    assert "view_customer_pii" in codenames("Finance")
    viewer = codenames("Viewer")
    assert all(codename.startswith("view_") for codename in viewer)
    assert "view_customer_pii" not in viewer and "view_order" in viewer


def test_a_viewer_can_run_no_action(login, client):
    login("Viewer")
    ready = customer_order(status="ready-for-handling")
    handling = customer_order(status="handling")
    InvoiceFactory(order=handling, value=1000)

    assert list_actions(client) == set()
    response = post_action(client, "start_handling_selected", [ready])
    assert not VtexCommand.objects.exists()
    assert response.status_code in (200, 302)
    for order in (ready, handling):
        page = client.get(order_page(order)).content.decode()
        assert "data-operation=" not in page
        for name in ALL_OPERATIONS:
            assert client.get(operation_url(order, name)).status_code == 403
            assert client.post(operation_url(order, name), {"reason": "x"}).status_code == 403
    assert not VtexCommand.objects.exists()


def test_a_viewer_cannot_retry_or_resolve_commands(login, client):
    login("Viewer")
    order = customer_order(status="ready-for-handling")
    command = VtexCommand.objects.create(
        subject=order,
        source="admin",
        kind="start-handling",
        key=f"{order.vtex_order_id}:start-handling",
        state=CommandState.REJECTED,
    )

    assert client.get(COMMAND_LIST).status_code == 200
    assert list_actions(client, COMMAND_LIST) == set()
    post_action(client, "retry_now", [command], url=COMMAND_LIST)
    post_action(client, "mark_resolved", [command], url=COMMAND_LIST, apply="1", note="x")
    command.refresh_from_db()
    assert (command.state, command.resolved_at) == (CommandState.REJECTED, None)


def test_a_viewer_sees_no_full_customer_email_document_or_phone(login, client):
    login("Viewer")
    order = customer_order(status="handling")

    pages = client.get(order_page(order)).content.decode() + client.get(ORDER_LIST).content.decode()

    for secret in ("joana.silva@example.com", "52998224725", "+5511987654321", "987654321"):
        assert secret not in pages
    assert mask_email("joana.silva@example.com") in pages
    assert mask_tail("52998224725") in pages
    assert mask_tail("+5511987654321") in pages


EVENT_LIST = reverse("admin:orders_orderevent_changelist")


def test_a_viewer_finds_no_customer_data_anywhere_after_a_real_order_life(
    vtex_store, login, client, django_user_model, django_capture_on_commit_callbacks
):
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    document = vtex_store.order(order.vtex_order_id)["order"]
    profile = document["clientProfileData"]
    address = document["shippingData"]["address"]
    secrets = {
        "e-mail": profile["email"],
        "follow-up e-mail": document.get("followUpEmail") or profile["email"],
        "document": profile["document"],
        "phone": profile["phone"],
        "phone digits": profile["phone"][-9:],
        "street": address["street"],
        "postal code": address["postalCode"],
        "postal code digits": address["postalCode"].replace("-", ""),
    }
    if address.get("complement"):
        secrets["complement"] = address["complement"]
    assert order.customer_email == profile["email"] and order.shipping_street == address["street"]
    xml = (
        f"<nfeProc><dest><CPF>{profile['document']}</CPF><email>{profile['email']}</email>"
        f"<enderDest><xLgr>{address['street']}</xLgr><CEP>{address['postalCode']}</CEP>"
        "</enderDest></dest></nfeProc>"
    )

    # Refresh, then an invoice whose answer is lost: the retry re-reads the order (GetOrder,
    # the whole customer profile) before finding the invoice applied.
    refresh_then_invoice_with_lost_answer(
        vtex_store, order, xml=xml, on_commit=django_capture_on_commit_callbacks
    )
    commands = list(VtexCommand.objects.order_by("pk"))
    assert [c.state for c in commands] == [CommandState.SUCCEEDED] * 2
    attempts = list(CommandAttempt.objects.all())
    assert any(a.method == "GET" for a in attempts) and len(attempts) >= 3
    order.refresh_from_db()
    assert order.invoices.filter(number="NF1").exists()

    login("Viewer")
    urls = [order_page(order), ORDER_LIST, COMMAND_LIST, EVENT_LIST]
    urls += [f"{COMMAND_LIST}{command.pk}/change/" for command in commands]
    urls += [f"{EVENT_LIST}{event.pk}/change/" for event in OrderEvent.objects.all()]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = html.unescape(response.content.decode())
    for name, secret in secrets.items():
        assert not [url for url, page in pages.items() if secret in page], name
    assert mask_email(profile["email"]) in pages[order_page(order)]
    assert address["city"] in pages[order_page(order)]
    # The attempts were on the pages (the re-read included), with their data.
    assert "/invoice" in pages[f"{COMMAND_LIST}{commands[1].pk}/change/"]
    stored = str(list(CommandAttempt.objects.values())) + str(list(VtexCommand.objects.values()))
    for name, secret in secrets.items():
        assert secret not in stored, name
    # The mirror re-read the invoiced order: its stored document keeps neither the NF-e XML
    # (packageAttachment.packages[].embeddedInvoice) nor any value the XML carried.
    order.refresh_from_db()
    [package] = order.raw_document["packageAttachment"]["packages"]
    assert package["invoiceNumber"] == "NF1" and package["embeddedInvoice"] == "***"
    mirror = json.dumps(order.raw_document, ensure_ascii=False)
    for name, secret in secrets.items():
        assert secret not in mirror, name

    for term in (profile["email"], profile["document"]):
        found = client.get(ORDER_LIST, {"q": term}).context["cl"].result_list
        assert list(found) == [], term
    operator = django_user_model.objects.create_user(username="ops", is_staff=True)
    operator.groups.add(Group.objects.get(name="Operations"))
    client.force_login(operator)
    for term in (profile["email"], profile["document"]):
        assert list(client.get(ORDER_LIST, {"q": term}).context["cl"].result_list) == [order]


def test_operations_see_the_full_customer_data(login, client):
    login("Operations")
    order = customer_order(status="handling")

    page = client.get(order_page(order)).content.decode()

    for value in ("joana.silva@example.com", "52998224725", "+5511987654321"):
        assert value in page


def test_finance_invoices_and_tracks_but_does_not_cancel_or_start(login, client):
    login("Finance")
    order = customer_order(status="handling")
    InvoiceFactory(order=order, value=1000, tracking_number="BR1")

    assert list_actions(client) == set()
    page = client.get(order_page(order)).content.decode()
    for allowed in ("invoice", "tracking-number", "tracking-events"):
        assert f'data-operation="{allowed}"' in page
        assert client.get(operation_url(order, allowed)).status_code == 200
    for refused in ("cancel", "change", "refresh", "start-handling"):
        assert f'data-operation="{refused}"' not in page
        assert client.post(operation_url(order, refused), {"reason": "x"}).status_code == 403
    assert "joana.silva@example.com" in page


def test_operations_get_every_list_action(login, client):
    login("Operations")
    assert list_actions(client) == {
        "start_handling_selected",
        "cancel_selected",
        "refresh_selected",
    }
    assert list_actions(client, COMMAND_LIST) == {"retry_now", "mark_resolved"}


def test_masks_keep_just_enough_to_tell_customers_apart():
    assert mask_email("joana.silva@example.com") == "j***@example.com"
    assert mask_email("") == ""
    assert mask_tail("52998224725") == "*********25"
    assert mask_tail("1234") == "****"
    assert mask_name("Joana da Silva") == "J*** d*** S***"
    assert mask_postal_code("01310-100") == "013*****"
    assert (mask_all("Rua Augusta"), mask_all("")) == ("***", "")
