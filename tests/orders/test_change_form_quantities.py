"""The order change form beside each item (issue 19): what the order has and what is left of
it after the change as typed, right on the page the server draws (a validation error keeps
what was typed), with captions on the replacement and addition tables."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.services.changes import Replacement, change_items_left
from tests.orders.factories import OrderFactory, OrderItemFactory
from tests.orders.operations import operation_url

ITEMS_LEFT = re.compile(
    r'data-sku="([^"]+)" data-ordered="(\d+)" data-remove="remove_(\d+)">\s*'
    r"(?:ordered|no pedido): \d+ ·\s*(?:left after the change|restam após a alteração): "
    r"<output>(-?\d+)</output>"
)


def items_left(page: str) -> dict[int, tuple[str, int, int]]:
    """position -> (SKU, ordered, left after the change), as the page shows them."""
    return {
        int(position): (sku, int(ordered), int(left))
        for sku, ordered, position, left in ITEMS_LEFT.findall(page)
    }


@pytest.fixture
def order_of_two_items(db):
    order = OrderFactory(status="handling")
    OrderItemFactory(order=order, position=0, sku_id="2001", quantity=3)
    OrderItemFactory(order=order, position=1, sku_id="2002", quantity=2)
    return order


def test_the_form_shows_each_items_quantity_and_its_tables_captions(
    login, client, order_of_two_items
):
    login("Operations")

    page = client.get(operation_url(order_of_two_items, "change")).content.decode()

    assert items_left(page) == {0: ("2001", 3, 3), 1: ("2002", 2, 2)}
    assert "<caption>Items replaced by another SKU, or by a new quantity</caption>" in page
    assert "<caption>Items added</caption>" in page


def test_after_a_validation_error_the_page_shows_what_the_typed_change_leaves(
    login, client, order_of_two_items, settings
):
    login("Operations")
    settings.LANGUAGE_CODE = "pt-br"
    page = client.get(operation_url(order_of_two_items, "change")).content.decode()
    token = re.search(r'name="request_id" value="([0-9a-f]{32})"', page).group(1)

    response = client.post(
        operation_url(order_of_two_items, "change"),
        {
            "request_id": token,
            "reason": "",  # refused: the page comes back with what was typed
            "remove_0": "1",
            "remove_1": "abc",
            "replaced-TOTAL_FORMS": "1",
            "replaced-INITIAL_FORMS": "0",
            "replaced-0-sku_id": "2002",
            "replaced-0-quantity": "1",
            "replaced-0-new_sku_id": "2002",
            "replaced-0-new_quantity": "4",
            "added-TOTAL_FORMS": "2",
            "added-INITIAL_FORMS": "0",
        },
        HTTP_ACCEPT_LANGUAGE="pt-br",
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Este campo é obrigatório." in page
    # 3 - 1 removed; 2 - 1 replaced + 4 of the same SKU ("abc" is refused, counted 0).
    assert items_left(page) == {0: ("2001", 3, 2), 1: ("2002", 2, 5)}
    assert "<caption>Itens substituídos por outro SKU, ou por uma nova quantidade</caption>" in page
    assert "<caption>Itens adicionados</caption>" in page


def test_taking_more_than_the_order_has_shows_below_zero(login, client, order_of_two_items):
    login("Operations")
    page = client.get(operation_url(order_of_two_items, "change")).content.decode()
    token = re.search(r'name="request_id" value="([0-9a-f]{32})"', page).group(1)

    response = client.post(
        operation_url(order_of_two_items, "change"),
        {
            "request_id": token,
            "reason": "Falta de estoque",
            "remove_0": "5",
            "replaced-TOTAL_FORMS": "1",
            "replaced-INITIAL_FORMS": "0",
            "added-TOTAL_FORMS": "0",
            "added-INITIAL_FORMS": "0",
        },
    )

    page = response.content.decode()
    assert "The order has 3 of this item: no more can be removed." in page
    assert items_left(page)[0] == ("2001", 3, -2)
    assert 'class="items-left items-left-negative"' in page


class Item:
    def __init__(self, position: int, sku_id: str, quantity: int) -> None:
        self.position, self.sku_id, self.quantity = position, sku_id, quantity


skus = st.sampled_from(["A", "B", "C"])
orders = st.lists(st.tuples(skus, st.integers(1, 20)), min_size=1, max_size=5).map(
    lambda rows: [Item(position, sku, quantity) for position, (sku, quantity) in enumerate(rows)]
)
replacements = st.lists(
    st.builds(
        Replacement,
        sku_id=skus,
        quantity=st.integers(0, 30),
        new_sku_id=st.sampled_from(["A", "B", "D"]),
        new_quantity=st.integers(0, 30),
    ),
    max_size=3,
)


@given(orders, st.data(), replacements)
def test_what_is_left_of_each_sku_is_what_the_change_takes_and_gives(items, data, replaced):
    removed = {item.position: data.draw(st.integers(0, item.quantity + 2)) for item in items}

    left = change_items_left(items=items, removed=removed, replaced=replaced)

    assert set(left) == {item.position for item in items}
    for sku in {item.sku_id for item in items}:
        positions = [item.position for item in items if item.sku_id == sku]
        ordered = sum(item.quantity for item in items if item.sku_id == sku)
        taken = sum(removed[p] for p in positions) + sum(
            swap.quantity for swap in replaced if swap.sku_id == sku
        )
        given_back = sum(
            swap.new_quantity for swap in replaced if swap.sku_id == swap.new_sku_id == sku
        )
        assert sum(left[p] for p in positions) == ordered - taken + given_back
    if not replaced:
        assert left == {item.position: item.quantity - removed[item.position] for item in items}
