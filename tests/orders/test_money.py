"""Money as operators type and read it: one parser (``core.money.reais_cents``) behind
every money field (``core.money.MoneyField``), and what a field shows saves back unchanged
in both languages."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.money import MONEY_MAX_CENTS, MoneyField, brl, reais

AMOUNTS = st.integers(min_value=0, max_value=MONEY_MAX_CENTS - 1)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("55", 5500),
        ("55,90", 5590),
        ("55,9", 5590),
        ("1.055,90", 105590),
        ("1.055", 105500),
        ("R$ 55,90", 5590),
        ("R$55,90", 5590),
        ("r$ 1.055,90", 105590),
        ("  55,90 ", 5590),
        ("R$\u00a01.055,90", 105590),
        ("55.90", 5590),
        ("1,055.90", 105590),
        ("0,01", 1),
        ("0", 0),
        ("999.999.999,99", MONEY_MAX_CENTS - 1),
    ],
)
def test_reais_as_brazilians_write_them_are_cents(typed, cents):
    assert MoneyField().clean(typed) == cents


@pytest.mark.parametrize(
    "typed",
    [
        *("abc", "-5", "55,901", "1,055", "1.05.5", "55,90 R$", "5\x0055", "1e5", "R$"),
        # Digits of other scripts, a fraction.
        *("\u0665\u0665", "\u00bd"),
    ],
)
def test_what_is_not_an_amount_in_reais_is_refused_with_how_to_write_it(typed):
    with translation.override("pt-br"), pytest.raises(ValidationError) as refused:
        MoneyField().clean(typed)
    [message] = refused.value.messages
    assert "não é um valor em reais" in message
    assert "55, 55,90, 1.055,90 ou R$ 55,90" in message
    assert "\x00" not in message


def test_a_huge_cell_is_refused_in_a_short_message():
    with pytest.raises(ValidationError) as refused:
        MoneyField().clean("9" * 100_000)
    [message] = refused.value.messages
    assert len(message) < 200
    with pytest.raises(ValidationError) as too_large:
        MoneyField().clean("1.000.000.000,00")
    assert too_large.value.messages == ["O maior valor aceito é R$ 999.999.999,99."]


def test_an_empty_optional_field_is_none_and_a_required_one_is_refused():
    assert MoneyField(required=False).clean("  ") is None
    with pytest.raises(ValidationError):
        MoneyField().clean("")


@pytest.mark.parametrize("language", ["pt-br", "en"])
@given(cents=AMOUNTS)
def test_what_a_field_shows_saves_back_unchanged(language, cents):
    field = MoneyField()
    with translation.override(language):
        shown = field.widget.format_value(cents)
        assert field.clean(shown) == cents
        assert field.clean(brl(cents)) == cents


@given(cents=AMOUNTS)
def test_an_amount_shows_as_brazilians_write_it(cents):
    with translation.override("pt-br"):
        shown = reais(cents)
    units, decimals = shown.split(",")
    assert len(decimals) == 2
    assert units == f"{cents // 100:,}".replace(",", ".")
    assert int(units.replace(".", "")) * 100 + int(decimals) == cents
