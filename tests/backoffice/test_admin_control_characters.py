"""No admin page answers 500 to a control character (backoffice/admin_site.py).

PostgreSQL refuses NUL in text and jsonb: a ``%00`` in a list's filter or search, in the
export or the autocomplete reached the database and answered 500. Every admin view refuses it
before it runs, with the admin's own 400 page and message. Tried on every list of the site,
each with every filter it declares and its search, on PostgreSQL (where NUL failed) with the
``on_postgres`` tests, and on any database for the message.
"""

import unicodedata
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import TYPED_CONTROL
from tests.catalog.factories import SkuFactory
from tests.orders.factories import OrderFactory

MESSAGE = "holds a control character (such as NUL)"
MESSAGE_PT = "contém um caractere de controle (como o NUL)"
NAMED_LISTS = [
    "orders.order",
    "orders.invoice",
    "orders.orderevent",
    "outbox.vtexcommand",
    "imports.importbatch",
    "catalog.sku",
    "catalog.skusuggestion",
    "catalog.shippingrule",
]
EVERY_LIST = sorted(
    f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry
)


def changelist(label: str) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_changelist")


def model_admin(label: str) -> admin.ModelAdmin:
    return next(
        model_admin
        for model, model_admin in admin.site._registry.items()
        if f"{model._meta.app_label}.{model._meta.model_name}" == label
    )


def hostile_queries(label: str) -> list[str]:
    """The list's search and each parameter its filters declare, holding a NUL."""
    lookups = sorted(model_admin(label).declared_lookups(None))
    return ["q=%00", "q=pedido%00x", *(f"{quote(lookup)}=%00" for lookup in lookups)]


def assert_refused(response) -> None:
    assert response.status_code == 400
    page = response.content.decode()
    assert MESSAGE in page
    assert 'class="messagelist"' in page  # the admin's own look, its header and message
    assert "site-name" in page


def test_every_named_list_is_a_list_of_the_site():
    assert set(NAMED_LISTS) <= set(EVERY_LIST)


@pytest.fixture
def superuser(admin_client, settings):
    settings.LANGUAGE_CODE = "en"
    return admin_client


@pytest.fixture
def some_rows(db):
    order = OrderFactory(sales_channel="1")
    SkuFactory()
    return order


def run_every_list(client) -> list[tuple[str, str, int]]:
    answered = []
    for label in EVERY_LIST:
        for query in hostile_queries(label):
            response = client.get(f"{changelist(label)}?{query}")
            answered.append((label, query, response.status_code))
            if response.status_code == 400:
                assert MESSAGE in response.content.decode(), (label, query)
    return answered


@pytest.mark.django_db
def test_a_nul_in_any_filter_or_search_of_any_list_is_refused_with_the_admins_400(
    superuser, some_rows
):
    answered = run_every_list(superuser)
    assert {label for label, _query, _status in answered} >= set(NAMED_LISTS)
    assert [entry for entry in answered if entry[2] != 400] == []
    assert_refused(superuser.get(f"{changelist('orders.order')}?sales_channel__exact=%00"))


def test_on_postgresql_no_list_answers_500_to_a_nul(require_postgres, superuser, some_rows):
    answered = run_every_list(superuser)
    assert [entry for entry in answered if entry[2] != 400] == []
    # The lists still filter and search by ordinary values.
    response = superuser.get(f"{changelist('orders.order')}?sales_channel__exact=1&q=x")
    assert response.status_code == 200


@pytest.mark.parametrize("label", ["orders.order", "orders.invoice", "catalog.sku"])
@pytest.mark.django_db
def test_the_export_refuses_a_nul_in_its_filters(superuser, some_rows, label):
    app_label, model_name = label.split(".")
    export = reverse(f"admin:{app_label}_{model_name}_export")
    assert_refused(superuser.get(f"{export}?q=%00"))
    assert_refused(superuser.post(f"{export}?q=%00", {"format": "0"}))
    assert_refused(superuser.post(export, {"format": "0", "note": "a\x00b"}))


@pytest.mark.django_db
def test_the_autocomplete_refuses_a_nul(superuser, some_rows):
    url = reverse("admin:autocomplete")
    params = "app_label=orders&model_name=invoice&field_name=order"
    assert_refused(superuser.get(f"{url}?term=%00&{params}"))
    assert superuser.get(f"{url}?term=13&{params}").status_code == 200


@pytest.mark.django_db
def test_a_nul_in_an_object_id_or_a_form_is_refused(superuser, some_rows):
    assert_refused(superuser.get("/admin/orders/order/1%00/change/"))
    assert_refused(superuser.get("/admin/catalog/sku/add/?_changelist_filters=%00"))
    assert_refused(superuser.post(reverse("admin:catalog_shippingrule_add"), {"name": "Rule\x00"}))
    assert_refused(superuser.get(f"{reverse('admin:login')}?next=/admin/%00"))


@pytest.mark.django_db
def test_the_refusal_speaks_portuguese(superuser, some_rows):
    with translation.override("pt-br"):
        response = superuser.get(
            f"{changelist('orders.order')}?sales_channel__exact=%00",
            headers={"accept-language": "pt-br"},
        )
    assert response.status_code == 400
    assert MESSAGE_PT in response.content.decode()


@pytest.mark.django_db
def test_line_breaks_and_tabs_typed_in_a_search_still_search(superuser, some_rows):
    for query in ("q=a%09b", "q=a%0Ab", "q=a%0D%0Ab"):
        assert superuser.get(f"{changelist('orders.order')}?{query}").status_code == 200


@settings(max_examples=40, deadline=None)
@given(text=st.text(st.characters(exclude_categories=()), max_size=20))
def test_control_characters_are_exactly_category_cc_but_typed_whitespace(text):
    # And the lone surrogates (Cs), which UTF-8 cannot encode.
    expected = any(
        (unicodedata.category(character) == "Cc" and character not in "\t\n\r")
        or unicodedata.category(character) == "Cs"
        for character in text
    )
    assert (TYPED_CONTROL.search(text) is not None) == expected
