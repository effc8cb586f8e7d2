"""Fixtures of the orders tests (``vtex_store`` and ``login`` are suite-wide: tests/conftest.py)."""

import pytest


@pytest.fixture(name="import_orders")
def import_orders_fixture(db):
    """The orders the files in tests/orders/import_files/ name (tests/orders/imports.py)."""
    from tests.orders.imports import orders_for_files

    return orders_for_files()
