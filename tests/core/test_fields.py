"""A model's own fields by name: the column and length the raw SQL and the key bound read,
and a clear refusal of a reverse relation (which has neither)."""

import pytest
from django.core.exceptions import FieldDoesNotExist

from catalog.models import Sku, SkuSuggestion
from core.fields import field_column, field_max_length, model_field
from outbox.enqueue import COMMAND_KEY_MAX_LENGTH
from outbox.models import VtexCommand


def test_column_and_length_of_a_field():
    assert field_column(SkuSuggestion, "sku") == "sku_id"
    assert field_max_length(Sku, "sku_id") == 64
    key_length = VtexCommand._meta.get_field("key").max_length
    assert key_length - len("~") - 19 == COMMAND_KEY_MAX_LENGTH


def test_a_reverse_relation_is_refused_by_name():
    with pytest.raises(FieldDoesNotExist, match=r"Sku\.suggestions is a reverse relation"):
        model_field(Sku, "suggestions")
    with pytest.raises(FieldDoesNotExist, match="declares no max_length"):
        field_max_length(Sku, "stock")
