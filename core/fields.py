"""A model's own fields read by name. ``Model._meta.get_field`` may also answer with a
reverse relation, which has no column, verbose name or length of its own: these refuse one,
so that what reads a field's column or length gets a string or a number."""

from django.core.exceptions import FieldDoesNotExist
from django.db import models


def model_field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise FieldDoesNotExist(f"{model.__name__}.{name} is a reverse relation, not a field")
    return field


def field_column(model: type[models.Model], name: str) -> str:
    """The database column of the model's field ``name``."""
    column = model_field(model, name).column
    if column is None:
        raise FieldDoesNotExist(f"{model.__name__}.{name} has no column")
    return column


def field_max_length(model: type[models.Model], name: str) -> int:
    """The declared ``max_length`` of the model's field ``name``."""
    max_length = model_field(model, name).max_length
    if max_length is None:
        raise FieldDoesNotExist(f"{model.__name__}.{name} declares no max_length")
    return max_length
