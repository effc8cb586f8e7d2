"""What the apps registered with the outbox (``outbox.registry``): the command kinds and the
sources commands come from, which the command model offers as its fields' choices."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise

# kind -> the registered CommandType instance; source value -> its label.
kinds: dict[str, Any] = {}
sources: dict[str, str | Promise] = {}


def kind_choices() -> list[tuple[str, str | Promise]]:
    return [(kind, command_type.label) for kind, command_type in kinds.items()]


def source_choices() -> list[tuple[str, str | Promise]]:
    return list(sources.items())
