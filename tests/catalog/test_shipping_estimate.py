"""A shipping rule's delivery estimate (issue 19): the operator types business days, the list
and the form say "3 dias úteis", and VTEX's simulation is answered "3bd" as before."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from catalog.models import (
    MAX_BUSINESS_DAYS,
    ShippingRule,
    business_days,
    business_days_display,
    business_days_estimate,
)
from tests.catalog.factories import ShippingRuleFactory
from tests.catalog.seller_data import APP_KEY, APP_TOKEN, GUIDE_SIMULATION, HEADERS, SIMULATION
from tests.catalog.seller_data import catalog_load as seller_catalog_load

RULES = reverse("admin:catalog_shippingrule_changelist")
ADD = reverse("admin:catalog_shippingrule_add")
PT = {"HTTP_ACCEPT_LANGUAGE": "pt-br"}


def rule_data(estimate: str, **fields: str) -> dict[str, str]:
    return {
        "name": "Expressa",
        "delivery_channel": "delivery",
        "postal_code_from": "01000000",
        "postal_code_to": "05999999",
        "price": "24,90",
        "shipping_estimate": estimate,
        "active": "on",
        **fields,
    }


@pytest.mark.django_db
def test_the_operator_types_business_days_and_reads_them_in_words(login, client):
    login("Operations")

    response = client.post(ADD, rule_data("3"), **PT)

    assert response.status_code == 302, response.content.decode()
    rule = ShippingRule.objects.get()
    assert rule.shipping_estimate == "3bd"
    ShippingRuleFactory(shipping_estimate="1bd")
    listing = client.get(RULES, **PT).content.decode()
    assert "3 dias úteis" in listing and "1 dia útil" in listing
    assert "3 business days" in client.get(RULES, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    form = client.get(reverse("admin:catalog_shippingrule_change", args=[rule.pk]), **PT)
    page = form.content.decode()
    assert 'name="shipping_estimate" value="3"' in page
    assert "Atual: 3 dias úteis." in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    ["0", "-1", str(MAX_BUSINESS_DAYS + 1), "3bd", "3 dias", "2,5", "", "\x00", "9" * 5000],
)
def test_an_estimate_out_of_bounds_is_refused_saying_what_to_type(login, client, typed):
    login("Operations")

    response = client.post(ADD, rule_data(typed), **PT)

    page = response.content.decode()
    if "\x00" in typed:  # the admin site refuses control characters before any form
        assert response.status_code == 400 and "caractere de controle" in page
    elif typed == "":
        assert response.status_code == 200 and "Este campo é obrigatório." in page
    else:
        assert response.status_code == 200
        assert f"Digite o número de dias úteis, de 1 a {MAX_BUSINESS_DAYS}." in page
    assert not ShippingRule.objects.exists()


@pytest.mark.django_db
def test_a_rule_of_another_unit_shows_it_and_takes_business_days(login, client):
    login("Operations")
    rule = ShippingRuleFactory(shipping_estimate="2d")
    url = reverse("admin:catalog_shippingrule_change", args=[rule.pk])

    assert "2 dias corridos" in client.get(RULES, **PT).content.decode()
    page = client.get(url, **PT).content.decode()
    assert "Atual: 2 dias corridos." in page
    assert 'name="shipping_estimate" value=' not in page  # nothing typed for the operator

    response = client.post(
        url, rule_data("2", is_default="on", postal_code_from="", postal_code_to=""), **PT
    )
    assert response.status_code == 302, response.content.decode()
    rule.refresh_from_db()
    assert rule.shipping_estimate == "2bd"


@pytest.mark.django_db
def test_the_simulation_answers_the_typed_days_as_vtex_writes_them(login, client, settings):
    settings.SELLER_APP_KEY, settings.SELLER_APP_TOKEN = APP_KEY, APP_TOKEN
    settings.VTEX_SELLER_ID = "1"
    seller_catalog_load()
    ShippingRule.objects.all().delete()
    login("Operations")
    assert client.post(ADD, rule_data("3"), **PT).status_code == 302
    client.logout()

    body = client.post(
        SIMULATION,
        json.dumps({**GUIDE_SIMULATION, "postalCode": "01311-000"}),
        content_type="application/json",
        **HEADERS,
    ).json()

    slas = body["logisticsInfo"][0]["slas"]
    assert [(s["id"], s["shippingEstimate"]) for s in slas] == [("Expressa", "3bd")]


@given(st.integers(min_value=1, max_value=MAX_BUSINESS_DAYS))
def test_business_days_round_trip_through_vtexs_form(days):
    estimate = business_days_estimate(days)
    assert business_days(estimate) == days
    with translation.override("pt-br"):
        words = business_days_display(estimate)
    assert words == (f"{days} dia útil" if days == 1 else f"{days} dias úteis")


@given(st.text(max_size=20))
def test_any_stored_estimate_is_read_without_error(text):
    days = business_days(text)
    assert days is None or text.removesuffix("bd").isdigit()
    assert isinstance(business_days_display(text), str)
