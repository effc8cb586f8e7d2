"""What the outbox delivers, declared by the apps that own it.

A **command type** is one class per kind of command (an invoice, a SKU suggestion...): its
typed payload, the one VTEX call it stands for at its destination, and how to tell from
VTEX's current document that an earlier attempt whose answer was lost already took effect.
A **subject** is the model commands belong to (an order, a SKU): what the owning app does
when its commands settle (audit, re-reading VTEX) and when an operator acts on one.

Apps register both in ``AppConfig.ready``; the engine looks a kind up here and never
branches on kinds itself. Adding a kind means adding one class.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.utils.functional import Promise

from outbox import choices

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from outbox.models import VtexCommand
    from outbox.records import AttemptResult
    from vtex import VtexClient


class CommandType(ABC):
    """One kind of command. Subclasses set ``kind``, ``label`` and ``payload_class`` (a
    dataclass whose fields are the JSON payload) and implement ``send``."""

    kind: ClassVar[str]
    label: ClassVar[str | Promise]
    payload_class: ClassVar[type]
    # A failed attempt may have taken effect in VTEX: read VTEX again before resending.
    # False for reads (a refresh), which repeat harmlessly.
    verify_before_resend: ClassVar[bool] = True

    def payload(self, command: VtexCommand) -> Any:
        """The command's payload as its dataclass (unknown keys, like bookkeeping markers,
        are left out)."""
        return self.payload_of(command.payload)

    @classmethod
    def payload_data(cls, payload: Any) -> dict[str, Any]:
        """A payload dataclass as the command's JSON (``payload_of`` the other way): its fields,
        one level deep. Not ``dataclasses.asdict``, which deep-copies every nested list and
        dict: about a tenth of a 10,000-invoice file's storing went there, for values built for
        this command alone."""
        if not isinstance(payload, cls.payload_class):
            raise TypeError(f"{cls.kind}: a {cls.payload_class.__name__} is expected")
        return {
            field.name: getattr(payload, field.name)
            for field in dataclasses.fields(cls.payload_class)
        }

    def payload_of(self, data: dict[str, Any]) -> Any:
        """A payload's dataclass from its JSON (a command's, or an audit row that copied it);
        ``TypeError`` when a field it needs is missing."""
        names = {field.name for field in dataclasses.fields(self.payload_class)}
        return self.payload_class(**{k: v for k, v in data.items() if k in names})

    def audited_payload(self, data: dict[str, Any]) -> Any:
        """The payload's dataclass from an audit row that copied it, which may predate a field
        (or leave out a large one): a missing field reads as its type's empty value."""
        empty = {"str": str, "int": int, "bool": bool, "list": list, "dict": dict}
        filled = dict(data)
        for spec in dataclasses.fields(self.payload_class):
            no_default = (
                spec.default is dataclasses.MISSING
                and spec.default_factory is dataclasses.MISSING
            )
            if no_default and spec.name not in filled:
                type_name = str(spec.type).split("[", 1)[0].split("|", 1)[0].strip()
                make = empty.get(type_name)
                filled[spec.name] = make() if make is not None else None
        return self.payload_of(filled)

    def describe(self, payload: Any) -> str:
        """What the command asks of VTEX, in the operator's words, from its typed payload."""
        return str(self.label)

    @abstractmethod
    def send(self, command: VtexCommand, client: VtexClient) -> Any:
        """Make the one VTEX call the command stands for; VTEX's answer (a dict or None)."""

    def verification_read(self, command: VtexCommand, client: VtexClient) -> dict | None:
        """VTEX's current document to check ``applied`` against before a resend; None when
        there is nothing to read (the call is then simply sent again)."""
        return None

    def applied(self, command: VtexCommand, document: dict[str, Any]) -> bool:
        """Whether ``document`` already shows the command's effect."""
        return False

    def settled_payload(self, command: VtexCommand) -> dict[str, Any]:
        """The payload to keep once the command will not be sent again (drop what is too
        personal or too large to keep for nothing)."""
        return command.payload

    def refusal(self, command: VtexCommand) -> tuple[str, str] | None:
        """(code, message) when the command can no longer be sent as it stands (checked
        before each attempt); None to send it."""
        return None

    def resolved_by_hand(self, command: VtexCommand, *, user: User, note: str) -> None:
        """An operator closed the command by hand (inside that transaction): nothing will send
        it, so what waits for its answer stops waiting."""
        return None


@dataclass(frozen=True)
class Settled:
    """A command whose attempt ended (sent, already there, refused, or given up)."""

    command: VtexCommand
    result: AttemptResult


class Subject:
    """What commands belong to. Subclasses set ``model``."""

    model: ClassVar[type[models.Model]]

    def queryset(self) -> models.QuerySet:
        """How the engine reads the subjects of a batch (defer what sending does not need)."""
        return self.model._default_manager.all()

    def settled(self, settled: Sequence[Settled], *, client: VtexClient) -> None:
        """Inside the transaction that records them: e.g. write the audit rows."""

    def after_settled(self, settled: Sequence[Settled], *, client: VtexClient) -> None:
        """After that transaction: e.g. read the subjects again from VTEX."""

    def operator_acted(
        self, command: VtexCommand, *, user: User, action: str, details: dict
    ) -> None:
        """An operator retried or resolved ``command`` (inside that transaction)."""


_subjects: dict[type[models.Model], Subject] = {}


def register(command_type: type[CommandType]) -> type[CommandType]:
    """Register a command type (usable as a class decorator); one class per kind."""
    kind = command_type.kind
    if kind in choices.kinds and type(choices.kinds[kind]) is not command_type:
        raise ValueError(f"command kind {kind!r} is already registered")
    choices.kinds[kind] = command_type()
    return command_type


def register_subject(subject: Subject) -> None:
    _subjects[subject.model] = subject


def register_sources(names: Sequence[tuple[str, str | Promise]]) -> None:
    """Name the sources commands come from (an admin, a CSV import, the seller API...)."""
    choices.sources.update(names)


def command_types() -> list[CommandType]:
    """Every registered kind (their classes tell which take part in what)."""
    return list(choices.kinds.values())


def command_type(kind: str) -> CommandType:
    try:
        return choices.kinds[kind]
    except KeyError:
        raise LookupError(f"no command type registered for kind {kind!r}") from None


def subject_of(model: type[models.Model] | None) -> Subject:
    if model is None:  # a content type whose model is gone
        return Subject()
    return _subjects.get(model) or Subject()
