"""What the docs name exists: a file path, a migration, a module or one of its attributes, a
permission, a Celery task, a linked page. Code moves; a doc that still names the old place
sends the next reader to nothing, and nobody notices until then."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.management import _get_all_permissions

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "sandbox" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The project's top-level directories: a path or dotted name starting with one is the repo's.
PACKAGES = ("backoffice", "core", "vtex", "sandbox", "outbox", "imports", "orders", "catalog")
DIRECTORIES = (*PACKAGES, "tests", "bench", "templates", "docs", "locale")
# Files a doc names on purpose though they are not in the tree: the throwaway branch of
# orders-operations.md's walk-through ("mark as delivered").
HYPOTHETICAL = {"orders/operations/mark_delivered.py", "tests/orders/test_mark_delivered.py"}

BACKTICKED = re.compile(r"`([^`\n]+)`")
PLAIN_PATH = re.compile(
    r"(?<![\w/.-])((?:" + "|".join(DIRECTORIES) + r")/[\w/.-]+\.(?:py|md|html))\b"
)
PATH = re.compile(r"[\w.-]+(?:/[\w.-]+)+/?")
MIGRATION = re.compile(r"(\w+)/(\d{4})")
DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def mentions(doc: Path):
    """(line number, kind, text) of every backticked path or dotted name, plain path, link."""
    for number, line in enumerate(doc.read_text().splitlines(), 1):
        for token in BACKTICKED.findall(line):
            # `orders.tasks.feed_drain()`, `tests/x.py:12`, `orders/0005`
            token = token.strip().split("(")[0].split(":")[0].rstrip(".,")
            if MIGRATION.fullmatch(token) and token.split("/")[0] in PACKAGES:
                yield number, "migration", token
            elif PATH.fullmatch(token) and token.split("/")[0] in DIRECTORIES:
                yield number, "path", token
            elif DOTTED.fullmatch(token) and token.split(".")[0] in PACKAGES:
                if token.endswith((".py", ".md", ".html")):
                    yield number, "path", token
                else:
                    yield number, "name", token
        for path in PLAIN_PATH.findall(BACKTICKED.sub("", line)):
            yield number, "path", path
        for target in LINK.findall(line):
            if not re.match(r"[a-z]+:|#", target):
                yield number, "link", target.split("#")[0]


def importable(dotted: str) -> bool:
    """A module, or an attribute of one (``orders.command_kinds.Invoice.settled_payload``)."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


def other_names() -> set[str]:
    """Dotted names that are not Python: permissions (``orders.view_customer_pii``) and the
    Celery tasks' names (``outbox.commands_deliver``)."""
    names = {
        f"{model._meta.app_label}.{codename}"
        for model in apps.get_models()
        for codename, _ in _get_all_permissions(model._meta)
    }
    from celery import current_app

    current_app.loader.import_default_modules()
    return names | set(current_app.tasks)


def missing(doc: Path, known: set[str]) -> list[str]:
    absent = []
    for number, kind, text in mentions(doc):
        if kind == "path":
            ok = text in HYPOTHETICAL or (ROOT / text).exists()
        elif kind == "link":
            ok = (doc.parent / text).exists()
        elif kind == "migration":
            package, prefix = text.split("/")
            ok = any((ROOT / package / "migrations").glob(f"{prefix}_*.py"))
        else:
            ok = text in known or importable(text)
        if not ok:
            absent.append(f"{doc.name}:{number}: {kind} {text}")
    return absent


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(ROOT)))
def test_what_the_doc_names_exists(doc):
    assert missing(doc, other_names()) == []


def test_the_check_catches_a_stale_name(tmp_path):
    doc = tmp_path / "stale.md"
    doc.write_text(
        "Lives in `orders/services/actions.py` (`orders.services.actions.invoice_submit`),\n"
        "migration `orders/0999`, see [the layout](nowhere.md) and orders/selectors.py.\n"
        "Still there: `orders/operations/table.py`, `orders.operations.table.OPERATIONS`,\n"
        "`orders.view_customer_pii`, `outbox.commands_sweep`, `orders/0005`.\n"
    )
    found = missing(doc, other_names())
    assert [line.split(": ", 1)[1] for line in found] == [
        "path orders/services/actions.py",
        "name orders.services.actions.invoice_submit",
        "migration orders/0999",
        "path orders/selectors.py",
        "link nowhere.md",
    ]
