"""NF-e access keys (44 digits, modulo-11 check digit), invoice numbers VTEX accepts, and the
bounds of what operators type: lengths, the date window, an order change's values."""

import pytest
from django.core.exceptions import ValidationError

from orders.validators import (
    TextLength,
    nfe_key_check_digit,
    validate_invoice_number,
    validate_nfe_key,
)

# The worked example of the NF-e taxpayer manual (Manual de Orientação do Contribuinte):
# weighted sum 644, remainder 6, check digit 11 - 6 = 5.
KNOWN_KEY = "52060433009911002506550120000007800267301615"


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
