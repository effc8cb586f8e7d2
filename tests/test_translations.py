"""Every operator-facing string has its pt-BR translation: the catalogs hold every string the
code marks for translation (as ``makemessages`` would extract it today), none untranslated
and none left fuzzy. The project's catalog (LOCALE_PATHS) also holds the strings of the
third-party apps operators see that ship no pt-BR of their own (``PROJECT_PACKAGES``)."""

import importlib
import re
import shutil
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, label_for_field
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import translation
from django.utils.functional import Promise

from tests.conftest import service_missing

ROOT = Path(__file__).resolve().parents[1]
# Installed apps with admin pages and no pt-BR catalog: django-celery-beat (Periodic tasks).
PROJECT_PACKAGES = ("django_celery_beat",)
# Each catalog and the source folders makemessages reads for it: the apps' own, and the
# project's (LOCALE_PATHS) for the templates at the top level and PROJECT_PACKAGES.
CATALOGS = {
    "core": (("core",), ROOT / "core" / "locale"),
    "orders": (("orders",), ROOT / "orders" / "locale"),
    "outbox": (("outbox",), ROOT / "outbox" / "locale"),
    "catalog": (("catalog",), ROOT / "catalog" / "locale"),
    "imports": (("imports",), ROOT / "imports" / "locale"),
    "backoffice": (("backoffice",), ROOT / "backoffice" / "locale"),
    "templates": (("templates", *PROJECT_PACKAGES), ROOT / "locale"),
}


def source_folder(name: str) -> Path:
    if (ROOT / name).is_dir():
        return ROOT / name
    return Path(importlib.import_module(name).__file__).parent


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
    sources, locale = CATALOGS[name]
    po = locale / "pt_BR" / "LC_MESSAGES" / "django.po"
    shipped = catalog(po)
    untranslated = [msgid for msgid, (msgstr, fuzzy) in shipped.items() if not msgstr or fuzzy]
    assert not untranslated, f"{name}: no pt-BR translation for {untranslated}"

    # What makemessages extracts from the source today, from a copy of it.
    copy = tmp_path / "copy"
    for source in sources:
        shutil.copytree(
            source_folder(source),
            copy / source,
            ignore=shutil.ignore_patterns("__pycache__", "locale", "migrations"),
        )
    (copy / "locale").mkdir(exist_ok=True)
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["pt_BR"], verbosity=0)
    extracted = catalog(copy / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po")
    missing = sorted(set(extracted) - set(shipped))
    assert not missing, f"{name}: strings with no entry in {po.relative_to(ROOT)}: {missing}"


def portuguese_catalog():
    """Every pt-BR translation Django loads (project, apps, Django's own), by msgid."""
    from django.utils.translation import trans_real

    return trans_real.translation("pt-br")._catalog


def english(text) -> str:
    """The msgid of a marked string (its English text); an unmarked string as it is."""
    with translation.override("en"):
        return str(text)


# Fields whose unmarked verbose name the admin never shows: django-celery-beat's form labels
# the task field itself, and orders.admin.periodic's filter titles it.
LABELLED_ELSEWHERE = frozenset({"django_celery_beat.PeriodicTask.task"})


def admin_labels():
    """(where, text) of what the admin shows operators about every model it lists: app and
    model names, fields' labels, help texts and choices, list columns, filters and actions.
    Choices that are data rather than words (time zones) are not marked: only marked ones."""
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield opts.label, opts.app_config.verbose_name
        yield opts.label, opts.verbose_name
        yield opts.label, opts.verbose_name_plural
        for field in opts.get_fields():
            if not field.concrete or getattr(field, "primary_key", False):
                continue
            if f"{opts.label}.{field.name}" in LABELLED_ELSEWHERE:
                continue
            yield f"{opts.label}.{field.name}", field.verbose_name
            yield f"{opts.label}.{field.name}", field.help_text
            for _value, label in field.flatchoices or ():
                if isinstance(label, Promise):
                    yield f"{opts.label}.{field.name}", label
        for name in model_admin.list_display:
            if name != "action_checkbox":
                yield f"{opts.label} column", label_for_field(name, model, model_admin)
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        for list_filter in model_admin.list_filter:
            if isinstance(list_filter, type) and issubclass(list_filter, admin.SimpleListFilter):
                yield f"{opts.label} filter", list_filter.title
            elif isinstance(list_filter, tuple):
                field = get_fields_from_path(model, list_filter[0])[-1]
                spec = list_filter[1](field, request, {}, model, model_admin, list_filter[0])
                yield f"{opts.label} filter", spec.title
        for _action, _name, description in model_admin._get_base_actions():
            yield f"{opts.label} action", description


@pytest.mark.django_db
def test_every_admin_label_has_a_portuguese_translation():
    """What the admin shows of each model, Django's and other packages' included, has a pt-BR
    translation somewhere Django looks (an unmarked string fails too: it cannot have one)."""
    catalog = portuguese_catalog()
    with translation.override("en"):
        shown = sorted({(where, english(text)) for where, text in admin_labels() if text})
    untranslated = [(where, msgid) for where, msgid in shown if msgid not in catalog]
    assert not untranslated, untranslated


def test_every_operator_word_of_the_back_office_has_a_portuguese_translation():
    """The tables of words the admin shows: group names, refusal codes' explanations, attempt
    outcomes, the periodic tasks' names."""
    from core.beat import periodic_declarations
    from orders.admin.groups import GROUP_LABELS
    from outbox.admin import OUTCOME_LABELS
    from outbox.records import Outcome
    from outbox.refusals import REFUSAL_EXPLANATIONS

    catalog = portuguese_catalog()
    words = [
        *GROUP_LABELS.values(),
        *REFUSAL_EXPLANATIONS.values(),
        *OUTCOME_LABELS.values(),
        *(declaration.name for declaration in periodic_declarations()),
    ]
    assert set(OUTCOME_LABELS) == set(Outcome)
    assert [english(word) for word in words if english(word) not in catalog] == []
