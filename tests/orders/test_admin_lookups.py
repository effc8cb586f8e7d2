"""Admin lists filter only through the filters they declare (backoffice/admin_site.py).

Before, any lookup on a model's own fields was accepted from the URL: a Viewer, who sees the
CPF masked, recovered it digit by digit with ``?customer_document__startswith=``, and a bad
regex or an impossible year answered 500. Tried here as a Viewer (no customer data) and as
Finance (customer data shown), on every list of the orders app.
"""

import logging

import pytest
from django.contrib import admin
from django.urls import reverse

from orders.models import Order, OrderEvent
from outbox.models import CommandState, VtexCommand
from outbox.selectors import subject_commands_url
from tests.orders.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db

GROUPS = ["Viewer", "Finance"]
LOOKUP_TYPES = [
    "",
    "__exact",
    "__iexact",
    "__contains",
    "__icontains",
    "__startswith",
    "__istartswith",
    "__endswith",
    "__regex",
    "__iregex",
    "__gt",
    "__gte",
    "__lt",
    "__in",
    "__isnull",
    "__year",
    "__len",
]
# Paths into JSON columns (raw document, payloads): VTEX's personal keys and a free key.
JSON_PATHS = [
    "__clientProfileData__document__startswith",
    "__clientProfileData__email__icontains",
    "__shippingData__address__street__icontains",
    "__icontains",
    "__key__regex",
]
LISTS = [Order, OrderEvent, VtexCommand]


@pytest.fixture(autouse=True)
def _quiet_security_log(caplog):
    # Each refused lookup is logged by django.security with its traceback; a thousand of them
    # would only slow the test down.
    caplog.set_level(logging.CRITICAL, logger="django.security")


@pytest.fixture
def order_with_command():
    order = OrderFactory(
        customer_email="joana.silva@example.com",
        customer_document="52998224725",
        shipping_street="Rua Secreta",
        shipping_postal_code="01310-100",
        raw_document={"clientProfileData": {"document": "***"}, "orderId": "x"},
    )
    OrderItemFactory(order=order, position=0)
    OrderEvent.objects.create(order=order, type="status", to_status=order.status, source="feed")
    VtexCommand.objects.create(
        subject=order,
        source="admin",
        key=f"{order.vtex_order_id}:invoice:1",
        kind="invoice",
        payload={"number": "1"},
        state=CommandState.SUCCEEDED,
    )
    return order


def list_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def undeclared_lookups(model) -> list[str]:
    """Every lookup type on every concrete field, and paths into its JSON columns, that none
    of the list's filters declares."""
    model_admin = admin.site._registry[model]
    declared = model_admin.declared_lookups(None)
    if model_admin.date_hierarchy:
        declared |= {f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")}
    lookups = []
    for field in model._meta.concrete_fields:
        name = field.attname if field.is_relation else field.name
        lookups.extend(f"{name}{lookup}" for lookup in LOOKUP_TYPES)
        if field.get_internal_type() == "JSONField":
            lookups.extend(f"{name}{path}" for path in JSON_PATHS)
    return [lookup for lookup in lookups if lookup not in declared]


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("model", LISTS, ids=lambda model: model._meta.model_name)
def test_no_list_filters_by_a_lookup_it_does_not_declare(
    login, client, order_with_command, group, model
):
    login(group)
    url = list_url(model)
    assert client.get(url).status_code == 200
    answered = {}
    for lookup in undeclared_lookups(model):
        response = client.get(url, {lookup: "5"})
        if response.status_code != 400:
            answered[lookup] = response.status_code
    assert not answered, f"{group} filtered {model.__name__} by {answered}"


@pytest.mark.parametrize("group", GROUPS)
def test_customer_and_address_fields_filter_nothing(login, client, order_with_command, group):
    """The probes of the security review, each answered 400 instead of the matching orders."""
    login(group)
    for lookup, value in [
        ("customer_document__startswith", "529"),
        ("customer_email", "joana.silva@example.com"),
        ("customer_email__regex", "^joana"),
        ("shipping_street__icontains", "secreta"),
        ("shipping_postal_code__startswith", "013"),
        ("raw_document__clientProfileData__document__icontains", "*"),
        ("order__customer_document__startswith", "529"),
    ]:
        for model in LISTS:
            response = client.get(list_url(model), {lookup: value})
            assert response.status_code == 400, (model.__name__, lookup)
            assert "52998224725" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"customer_email__regex": "("},
        {"vtex_order_id__regex": "[[:alpha:"},
        {"created_at__year": "99999999999"},
        {"created_at__year": "2026", "created_at__month": "99999999999999999999"},
        {"created_at__gte": "garbage"},
        {"status": "x" * 5000},
    ],
)
def test_malformed_filters_never_answer_500(login, client, order_with_command, query):
    login("Operations")
    response = client.get(list_url(Order), query)
    # 400 for what no filter declares; the admin's own "?e=1" redirect for a declared filter
    # given a value it cannot use; a list for a value that matches nothing.
    assert response.status_code in (200, 302, 400), response.status_code


def test_malformed_payload_regex_on_commands_answers_400(login, client, order_with_command):
    login("Operations")
    assert client.get(list_url(VtexCommand), {"payload__regex": "("}).status_code == 400


def test_declared_filters_and_links_still_filter(login, client, order_with_command):
    login("Viewer")
    other = OrderFactory(status="invoiced")
    orders = client.get(list_url(Order), {"status": "invoiced"}).context["cl"].result_list
    assert list(orders) == [other]
    year = order_with_command.created_at.year
    dated = client.get(list_url(Order), {"created_at__year": str(year), "created_at__month": "1"})
    assert dated.status_code == 200
    since = client.get(
        list_url(Order), {"created_at__gte": order_with_command.created_at.date().isoformat()}
    )
    assert since.status_code == 200
    # The order page links to its commands (outbox.selectors.subject_commands_url).
    url = subject_commands_url(subject=order_with_command)
    commands = client.get(url).context["cl"].result_list
    assert [command.subject_id for command in commands] == [order_with_command.pk]
    events = client.get(list_url(OrderEvent), {"type__exact": "status"})
    assert events.status_code == 200


def test_finance_still_searches_by_customer_document(login, client, order_with_command):
    login("Finance")
    found = client.get(list_url(Order), {"q": "52998224725"}).context["cl"].result_list
    assert list(found) == [order_with_command]
