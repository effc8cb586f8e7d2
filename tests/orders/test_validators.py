"""NF-e access keys (44 digits, modulo-11 check digit), invoice numbers VTEX accepts, and the
bounds of what operators type: lengths, the date window, an order change's values."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.validators import TextLength
from orders.validators import (
    OPERATION_DATE_FUTURE_MARGIN,
    OPERATION_DATE_PAST_MARGIN,
    ORDER_CHANGE_MAX_VALUE_RATIO,
    nfe_key_check_digit,
    validate_invoice_number,
    validate_nfe_key,
    validate_operation_date,
    validate_order_change_values,
)

# The worked example of the NF-e taxpayer manual (Manual de Orientação do Contribuinte):
# weighted sum 644, remainder 6, check digit 11 - 6 = 5.
KNOWN_KEY = "52060433009911002506550120000007800267301615"


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in English; their pt-BR is tests/test_translations.py's.
    with translation.override("en"):
        yield


def test_a_known_key_passes():
    assert nfe_key_check_digit(KNOWN_KEY[:-1]) == int(KNOWN_KEY[-1])
    validate_nfe_key(KNOWN_KEY)


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (KNOWN_KEY[:-1] + str((int(KNOWN_KEY[-1]) + 1) % 10), "nfe_key_check_digit"),
        (KNOWN_KEY[:-1], "nfe_key_length"),
        (KNOWN_KEY + "0", "nfe_key_length"),
        (KNOWN_KEY[:-1] + "A", "nfe_key_length"),
        ("٣" * 44, "nfe_key_length"),
    ],
)
def test_wrong_keys_are_refused(key, code):
    with pytest.raises(ValidationError) as error:
        validate_nfe_key(key)
    assert error.value.code == code


def test_remainders_zero_and_one_give_check_digit_zero():
    # Weights 2..9 from the right; the digit is 11 - remainder, or 0 for remainders 0 and 1.
    assert nfe_key_check_digit("0" * 43) == 0
    assert nfe_key_check_digit("0" * 41 + "40") == 0  # 4 * 3 = 12, remainder 1
    assert nfe_key_check_digit("0" * 42 + "5") == 1  # 5 * 2 = 10, remainder 10


@pytest.mark.parametrize("number", ["123", "NF123", "abcXYZ09"])
def test_plain_invoice_numbers_pass(number):
    validate_invoice_number(number)


@pytest.mark.parametrize("number", ["NF/1", "NF 1", "NF#1", "NF-1", "NF1 ", "Nº1", ""])
def test_invoice_numbers_with_symbols_are_refused(number):
    with pytest.raises(ValidationError):
        validate_invoice_number(number)


def test_a_text_at_its_limit_passes_and_one_character_more_is_refused_naming_the_field():
    limit = TextLength("The tracking number", 100)
    limit("T" * 100)

    with pytest.raises(ValidationError) as error:
        limit("T" * 101)

    assert error.value.code == "max_length"
    assert error.value.messages == [
        "The tracking number can have at most 100 characters (it has 101)."
    ]


NOW = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
CREATED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "moment",
    [
        CREATED - OPERATION_DATE_PAST_MARGIN,
        CREATED,
        NOW,
        NOW + OPERATION_DATE_FUTURE_MARGIN,
        (CREATED - OPERATION_DATE_PAST_MARGIN).date(),
        (NOW + OPERATION_DATE_FUTURE_MARGIN).date(),
    ],
)
def test_dates_within_the_window_pass(moment):
    validate_operation_date(moment, field="The date", order_created_at=CREATED, now=NOW)


@pytest.mark.parametrize(
    "moment",
    [
        CREATED - OPERATION_DATE_PAST_MARGIN - timedelta(seconds=1),
        NOW + OPERATION_DATE_FUTURE_MARGIN + timedelta(seconds=1),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        date(1, 1, 1),
        date(9999, 12, 31),
        (NOW + OPERATION_DATE_FUTURE_MARGIN + timedelta(days=1)).date(),
    ],
)
def test_dates_outside_the_window_are_refused(moment):
    with pytest.raises(ValidationError) as error:
        validate_operation_date(moment, field="The date", order_created_at=CREATED, now=NOW)

    assert error.value.code == "date_out_of_window"
    assert "from a day before the order was created to a day from now" in error.value.messages[0]


def test_without_the_order_only_the_future_is_refused():
    validate_operation_date(
        datetime(1, 1, 1, tzinfo=UTC), field="The date", order_created_at=None, now=NOW
    )

    with pytest.raises(ValidationError) as error:
        validate_operation_date(
            datetime(9999, 1, 1, tzinfo=UTC), field="The date", order_created_at=None, now=NOW
        )

    assert error.value.code == "date_in_future"


def test_a_discount_up_to_the_order_value_passes_and_a_cent_more_is_refused():
    validate_order_change_values(order_value=10000, discount=10000, increment=0)

    with pytest.raises(ValidationError) as error:
        validate_order_change_values(order_value=10000, discount=10001, increment=0)

    assert list(error.value.message_dict) == ["discount_value"]


def test_a_change_may_at_most_double_the_order_value():
    validate_order_change_values(order_value=10000, discount=0, increment=10000)
    # What is removed or discounted leaves room for what is added.
    validate_order_change_values(
        order_value=10000, discount=500, increment=500, removed=4000, added=14000
    )

    with pytest.raises(ValidationError) as error:
        validate_order_change_values(order_value=10000, discount=0, increment=10000, added=1)

    assert list(error.value.message_dict) == ["increment_value"]
    assert ORDER_CHANGE_MAX_VALUE_RATIO == 2


def test_a_naive_datetime_is_read_in_the_current_time_zone():
    with pytest.raises(ValidationError):
        validate_operation_date(
            datetime(9999, 1, 1), field="The date", order_created_at=CREATED, now=NOW
        )
