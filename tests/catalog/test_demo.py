"""`manage.py catalog_demo` (run by `make run`): the demo catalog in sandbox mode, loaded once
whatever the number of runs, with the sandbox store's SKU ids."""

from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import ShippingRule, Sku
from catalog.services.demo import SKUS
from catalog.suggestion_payload import suggestion_problems
from sandbox.generator import OrderFactory

pytestmark = pytest.mark.django_db


def demo(**options) -> str:
    out = StringIO()
    call_command("catalog_demo", stdout=out, **options)
    return out.getvalue()


def test_the_demo_catalog_is_loaded_once_in_sandbox_mode(settings):
    settings.VTEX_USES_SANDBOX = True

    assert "6 SKUs and 3 shipping rules created" in demo()
    Sku.objects.filter(sku_id="2138").update(stock=1)
    assert "0 SKUs and 0 shipping rules created" in demo()

    assert Sku.objects.count() == 6 and ShippingRule.objects.count() == 3
    assert Sku.objects.get(sku_id="2138").stock == 1  # an operator's change stays
    assert ShippingRule.objects.filter(is_default=True).count() == 1
    # Every demo SKU can be suggested as it is.
    assert all(not suggestion_problems(sku) for sku in Sku.objects.all())


def test_the_demo_skus_are_the_sandbox_stores():
    sandbox_catalog = {
        sku["sku_id"]: sku for sku in OrderFactory(seed=1, account="sandbox").catalog
    }
    for sku_id, _variant, ean, _stock, product in SKUS:
        assert sandbox_catalog[sku_id]["ean"] == ean
        assert sandbox_catalog[sku_id]["name"].startswith(product["product_name"])


def test_no_demo_catalog_with_vtex_credentials(settings):
    settings.VTEX_USES_SANDBOX = False

    assert "no demo catalog loaded" in demo()
    assert not Sku.objects.exists()
    assert "6 SKUs" in demo(force=True)
