"""Every operator-facing string has its pt-BR translation: the catalogs hold every string the
code marks for translation (as ``makemessages`` would extract it today), none untranslated
and none left fuzzy."""

import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import service_missing

ROOT = Path(__file__).resolve().parents[1]
# Each catalog and the source folder makemessages reads for it: the apps' own, and the
# project's (LOCALE_PATHS) for the templates at the top level.
CATALOGS = {
    "orders": ("orders", ROOT / "orders" / "locale"),
    "outbox": ("outbox", ROOT / "outbox" / "locale"),
    "imports": ("imports", ROOT / "imports" / "locale"),
    "backoffice": ("backoffice", ROOT / "backoffice" / "locale"),
    "templates": ("templates", ROOT / "locale"),
}


def catalog(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy) of a .po file (plural forms: their first msgstr)."""
    entries: dict[str, tuple[str, bool]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line)
            if match:
                current = match.group(1).replace("[0]", "")
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            entries[fields["msgid"]] = (fields.get("msgstr", ""), fuzzy)
    return entries


@pytest.mark.parametrize("name", CATALOGS)
def test_every_string_is_translated_to_portuguese(name, tmp_path, monkeypatch):
    if shutil.which("xgettext") is None:
        service_missing("GNU gettext's xgettext: apt-get install gettext")
    source, locale = CATALOGS[name]
    po = locale / "pt_BR" / "LC_MESSAGES" / "django.po"
    shipped = catalog(po)
    untranslated = [msgid for msgid, (msgstr, fuzzy) in shipped.items() if not msgstr or fuzzy]
    assert not untranslated, f"{name}: no pt-BR translation for {untranslated}"

    # What makemessages extracts from the source today, from a copy of it.
    copy = tmp_path / "copy"
    shutil.copytree(
        ROOT / source, copy / source, ignore=shutil.ignore_patterns("__pycache__", "locale")
    )
    (copy / "locale").mkdir(exist_ok=True)
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["pt_BR"], verbosity=0)
    extracted = catalog(copy / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po")
    missing = sorted(set(extracted) - set(shipped))
    assert not missing, f"{name}: strings with no entry in {po.relative_to(ROOT)}: {missing}"
