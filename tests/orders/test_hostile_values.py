"""Hostile values from files and forms: one rule per field (orders/validators.py), the same on
the order page and in a file's row.

The tracking import sent ``javascript:alert(1)`` to VTEX as a ``trackingUrl`` (VTEX shows it
to the shopper), ``file:///etc/passwd`` passed as an invoice URL, and invisible bidirectional
characters (U+202E) passed in tracking numbers and SKU ids.
"""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.kinds import ImportContext, RowRefused
from orders import validators as bounds
from orders.operations.change import AddedItemForm
from orders.operations.tracking import TrackingNumberForm
from orders.selectors.invoicing import order_invoicing_summary
from orders.spreadsheets import TrackingImport
from outbox.models import VtexCommand
from tests.orders.factories import InvoiceFactory, OrderFactory, OrderItemFactory
from tests.orders.imports import batch_of, refusals, upload

pytestmark = pytest.mark.django_db

HOSTILE_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "ftp://files.example.com/nfe.pdf",
    "https://",
]
# Category Cc and Cf: NUL, a tab, the right-to-left override, a zero-width space, a BOM.
INVISIBLE = ["\x00", "\t", "\u202e", "\u200b", "\ufeff", "\u2066", "\x7f", "\x9b"]
# The invisible character inside the value: a tab at either end is whitespace, which the form
# and the file reader trim as they trim any cell (the value left is valid).
hostile_text = st.builds(
    lambda head, invisible, tail: head + invisible + tail,
    st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=12),
    st.sampled_from(INVISIBLE),
    st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=12),
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def invoiced():
    order = OrderFactory(status="invoiced", vtex_order_id="1500000009-01")
    OrderItemFactory(order=order, position=0, sku_id="2001", quantity=1, selling_price=123456)
    InvoiceFactory(order=order, number="9001", value=order.value, tracking_number="")
    return order


def form_errors(order, **fields) -> list[str]:
    data = {
        "invoice_number": "9001",
        "tracking_number": "BR123456789BR",
        "tracking_url": "",
        "courier": "Correios",
        "dispatched_at": "",
        **fields,
    }
    form = TrackingNumberForm(data, order=order, summary=order_invoicing_summary(order=order))
    return [] if form.is_valid() else [e for errors in form.errors.values() for e in errors]


def file_refusal(order, **cells) -> str | None:
    row = {
        "order_id": order.vtex_order_id,
        "invoice_number": "9001",
        "courier": "Correios",
        "tracking_number": "BR123456789BR",
        "tracking_url": "",
        **cells,
    }
    kind = TrackingImport()
    context = ImportContext(user=None, batch_id=None, file_name="t.csv", dry_run=True)
    kind.prepare([row], context)
    try:
        kind.import_row(row, context)
    except RowRefused as refusal:
        return str(refusal)
    return None


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_a_tracking_url_that_is_not_a_web_address_is_refused_by_the_form_and_the_file(
    invoiced, url
):
    message = "The tracking URL must be a web address starting with https:// (or http://)."
    assert message in form_errors(invoiced, tracking_url=url)
    assert message in (file_refusal(invoiced, tracking_url=url) or "")
    assert not VtexCommand.objects.exists()


def test_the_tracking_file_of_the_issue_is_refused_and_nothing_reaches_vtex(
    login, client, invoiced
):
    login("Operations")
    content = (
        b"order_id,invoice_number,courier,tracking_number,tracking_url\n"
        b"1500000009-01,9001,Correios,BR123456789BR,javascript:alert(1)\n"
    )

    batch = batch_of(upload(client, "tracking.csv", content, kind="tracking"))

    assert refusals(batch) == {
        2: "Order 1500000009-01: The tracking URL must be a web address starting with "
        "https:// (or http://)."
    }
    assert not VtexCommand.objects.exists()


def test_an_invoice_url_of_the_file_system_is_refused_in_a_file(login, client):
    login("Operations")
    order = OrderFactory(status="handling", vtex_order_id="1500000010-01", value=1000)
    OrderItemFactory(order=order, position=0, sku_id="2001", quantity=1, selling_price=1000)
    content = (
        "order_id,invoice_number,invoice_value,issuance_date,invoice_url\n"
        f'1500000010-01,123,"10,00",{order.created_at:%d/%m/%Y},file:///etc/passwd\n'
    ).encode()

    batch = batch_of(upload(client, "invoices.csv", content))

    [message] = refusals(batch).values()
    assert "The invoice URL must be a web address starting with https://" in message
    assert not VtexCommand.objects.exists()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tracking=hostile_text)
def test_a_tracking_number_with_an_invisible_character_is_refused_by_both(invoiced, tracking):
    from_form = form_errors(invoiced, tracking_number=tracking)
    from_file = file_refusal(invoiced, tracking_number=tracking)
    assert from_form and from_file
    assert any("The tracking number holds" in error for error in from_form)
    assert "The tracking number holds" in from_file
    assert not VtexCommand.objects.exists()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tracking=st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=40))
def test_plain_tracking_numbers_pass_both(invoiced, tracking):
    assert form_errors(invoiced, tracking_number=tracking) == []
    assert bounds.TRACKING_NUMBER(tracking) is None


@settings(max_examples=60, deadline=None)
@given(url=st.one_of(st.sampled_from(HOSTILE_URLS), st.text(max_size=40)))
def test_a_web_address_rule_passes_only_http_and_https_with_a_host(url):
    try:
        bounds.TRACKING_URL(url)
    except ValidationError:
        return
    if url:
        scheme, _, rest = url.partition("://")
        assert scheme.lower() in ("http", "https") and rest


@pytest.mark.parametrize(
    "sku_id", ["..", ".", "a/b", "%2e%2e", "..%2f", "2138\u202e", "21 38", "-1", "ação"]
)
def test_sku_ids_refuse_what_vtex_addresses_cannot_hold(sku_id):
    with pytest.raises(ValidationError):
        bounds.SKU_ID(sku_id)
    form = AddedItemForm({"sku_id": sku_id, "quantity": "1", "price": ""})
    assert not form.is_valid()
    assert "sku_id" in form.errors


@settings(max_examples=60, deadline=None)
@given(sku_id=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,30}", fullmatch=True))
def test_vtex_like_sku_ids_pass(sku_id):
    assert bounds.SKU_ID(sku_id) is None


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=30))
def test_an_identifier_refuses_exactly_the_control_and_format_characters(text):
    hidden = any(unicodedata.category(c) in ("Cc", "Cf") for c in text)
    try:
        bounds.TRACKING_NUMBER(text)
    except ValidationError as error:
        assert hidden or len(text) > 100, error
    else:
        assert not hidden


@pytest.mark.parametrize("sku_id", ["..", "a/b", "%2e%2e", "2138\u202e"])
def test_the_sku_file_and_the_sku_page_refuse_the_same_seller_sku_ids(admin_client, sku_id):
    from catalog.models import Sku
    from catalog.spreadsheets import SkuImport

    row = {"sku_id": sku_id, "name": "Camiseta", "product_name": "Camiseta", "price": "10"}
    context = ImportContext(user=None, batch_id=None, file_name="skus.csv", dry_run=True)
    with pytest.raises(RowRefused, match="The seller SKU id"):
        SkuImport().import_row(row, context)
    response = admin_client.post(
        "/admin/catalog/sku/add/",
        {"sku_id": sku_id, "name": "Camiseta", "product_name": "Camiseta", "price": "10"},
    )
    assert response.status_code == 200  # the form again, with the field's error
    assert "O id do SKU no seller" in response.content.decode()  # the admin speaks pt-BR
    assert not Sku.objects.exists()
