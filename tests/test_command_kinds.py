"""Each command kind owns its whole life (issue 18 §2): outside the kind classes, no code
compares a command's kind with a name, and no kind's name is written out; readers ask the
kind (``command_type(command.kind)``) and its hooks answer."""

import re
from pathlib import Path

import pytest

from outbox.registry import command_types

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("orders", "catalog", "outbox", "backoffice", "templates")
KIND_HOMES = {ROOT / "orders" / "command_kinds.py", ROOT / "catalog" / "command_kinds.py"}
# Branching on a command's kind: ``command.kind == ...``, ``entry.command.kind in (...)``.
BRANCH = re.compile(r"\bcommand\.kind\s*(==|!=|\bin\b|\bnot in\b)")


def sources() -> list[Path]:
    found = []
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                found.append(path)
    return [path for path in found if path not in KIND_HOMES]


def test_no_code_branches_on_a_commands_kind():
    branching = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if BRANCH.search(line)
    ]
    assert branching == []


@pytest.mark.parametrize(
    "kind",
    # Names no other word of the back office shares (the orders' kinds share theirs with the
    # operations that queue them, an order status or a JSON key: those are left to review).
    [
        "sku-change-notification",
        "sku-price-notification",
        "sku-inventory-notification",
        "sku-suggestion-check",
    ],
)
def test_a_kinds_name_is_written_only_in_its_class(kind):
    assert kind in {command_type.kind for command_type in command_types()}
    quoted = re.compile(rf"[\"']{re.escape(kind)}[\"']")
    written = [str(path.relative_to(ROOT)) for path in sources() if quoted.search(path.read_text())]
    assert written == []
