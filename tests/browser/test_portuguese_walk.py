"""What renders, not only what the catalogs hold: each operator group walks every admin page in
pt-BR in the browser (the dashboard, every model's list, add form, one change page and its
history, the export and import pages, the 403 page) and no English word shows, nor one of the
slips Portuguese readers trip on ("há 0 minuto", "de Dezembro", "1 linhas", "1bd"...).

English words are the words of the English msgids of the catalogs that render here (the
project's, Django's, django-import-export's) that no pt-BR translation of those catalogs uses
(so "status", "SKU", "e-mail" or "VTEX", which Portuguese uses too, are not English words).
The page's data comes from the fixture below, written in Portuguese, so a word found is the
page's chrome speaking English."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import django
import import_export
import pytest
from django.contrib import admin
from django.urls import reverse

from tests.catalog.factories import ShippingRuleFactory, SkuFactory
from tests.orders.factories import (
    InvoiceFactory,
    OrderEventFactory,
    OrderFactory,
    OrderItemFactory,
)
from tests.test_translations import catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
DJANGO = Path(django.__file__).parent
CATALOGS = [
    *sorted(ROOT.glob("*/locale/pt_BR/LC_MESSAGES/django.po")),
    ROOT / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po",
    DJANGO / "conf" / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po",
    *sorted(DJANGO.glob("contrib/*/locale/pt_BR/LC_MESSAGES/django.po")),
    Path(import_export.__file__).parent / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po",
]
# Words of both languages, or names, a catalog happens not to use in a pt-BR translation.
NOT_ENGLISH = frozenset(
    {"admin", "django", "cron", "crontab", "json", "nfe", "celery", "beat", "bd", "solar"}
)
# The slips a Portuguese reader trips on, and what they look like on a page.
SLIPS = {
    "a count of zero minutes": re.compile(r"\b0\s+minutos?\b"),
    "a month in capitals": re.compile(
        r"\bde (Janeiro|Fevereiro|Março|Abril|Maio|Junho|Julho|Agosto|Setembro|Outubro"
        r"|Novembro|Dezembro)\b"
    ),
    "one in the plural": re.compile(r"(?<![\d.,])\b1 (linhas|itens|pedidos|comandos|dias)\b"),
    "a feminine noun with a masculine word": re.compile(
        r"\b[Oo] (regra|nota|sugestão|notificação|tarefa|importação)\b"
        r"|\bregras\b[^.\n]{0,30}\bselecionados\b|\bPor aguardando\b"
    ),
    "VTEX's delivery time code": re.compile(r"\b\d+bd\b"),
}
# What still renders in English, each with why (docs/translations.md): remove an entry when
# it is translated. (page, English line) pairs, a line matched from its start.
REMAINING = [
    # django-celery-beat's list: the row checkbox's label is the task's stored (English) name.
    ("/admin/django_celery_beat/periodictask/", "Selecione esse objeto para uma ação - "),
    # django-import-export's field picker labels a field by its attribute name, in English,
    # before its translated column name: "Created At (Criado em)".
    ("/admin/orders/order/export/", ""),
    # The import pages list each column's canonical name, the header of the template file,
    # before its accepted Portuguese headers.
    ("/admin/imports/importbatch/upload/", ""),
]
WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:'[a-z]+)?")
# On a page a word stands alone: letters inside a run of letters and digits (a hex transaction
# id such as 6652ED6FF0F047C76E5014590ADD4F32) are data, not a word.
PAGE_WORD = re.compile(r"(?<![^\W_])[A-Za-zÀ-ÿ]+(?:'[a-z]+)?(?![^\W_])")


@cache
def english_words() -> frozenset[str]:
    english: set[str] = set()
    portuguese: set[str] = set()
    for path in CATALOGS:
        for msgid, (msgstr, _fuzzy) in catalog(path).items():
            english.update(word.lower() for word in WORD.findall(words_of(msgid)))
            portuguese.update(word.lower() for word in WORD.findall(words_of(msgstr)))
    return frozenset(word for word in english - portuguese - NOT_ENGLISH if len(word) > 2)


def words_of(message: str) -> str:
    """A message without its placeholders and markup."""
    message = re.sub(r"%\(\w+\)[sdif]|%[sdif]|\{[^}]*\}|<[^>]*>|\\n", " ", message)
    return message


# What is not the page speaking but data or names: the language switch names each language in
# itself ("English"); the permission picker lists Django's stored permission names ("Can add
# order", English in the database, see the closing note in docs); time zone names (IANA).
NOT_CHROME = "#language-switch, [id^=id_permissions], [id^=id_user_permissions], #id_timezone"
# Identifiers a page shows as they are: Celery task paths (orders.feed_drain), VTEX's status
# codes (payment-approved), command keys (...:start-handling), file column names
# (invoice_number), e-mail addresses.
IDENTIFIER = re.compile(r"\S*[\w](?:[._:/@-]|_)[\w]\S*")


def page_text(page, *, one_object: bool) -> str:
    """What the operator reads: the page's text, its title, its buttons' words and tooltips."""
    page.evaluate(
        f"() => document.querySelectorAll({NOT_CHROME!r}).forEach(element => element.remove())"
    )
    text = page.evaluate(
        """() => [
            document.title,
            document.body.innerText,
            ...[...document.querySelectorAll('input[type=submit], input[type=button]')]
                .map(input => input.value),
            ...[...document.querySelectorAll('[title], [placeholder], [aria-label]')]
                .filter(element => element.offsetParent !== null)
                .flatMap(element => ['title', 'placeholder', 'aria-label']
                    .map(name => element.getAttribute(name) || '')),
        ].join('\\n')"""
    )
    for name in stored_names(one_object=one_object):
        text = text.replace(name, " ")
    return IDENTIFIER.sub(" ", text)


def stored_names(*, one_object: bool) -> list[str]:
    """Names stored in English as identities: the periodic tasks' (their list shows them
    translated, a change page's title and its schedule's page as stored) and the operator
    groups' (the group pages show them as stored)."""
    from core.beat import periodic_declarations
    from orders.admin.groups import GROUP_LABELS

    tasks = [task.name for task in periodic_declarations()] if one_object else []
    return [*tasks, *GROUP_LABELS]


def problems(text: str) -> list[str]:
    """Each English word and each slip of ``text``, with the line it is in."""
    found = []
    for line in dict.fromkeys(line.strip() for line in text.splitlines()):
        words = [word for word in PAGE_WORD.findall(line) if word.lower() in english_words()]
        slips = [name for name, slip in SLIPS.items() if slip.search(line)]
        if words or slips:
            found.append(f"{', '.join([*words, *slips])} in {line[:90]!r}")
    return found


@pytest.fixture
def shop():
    """One of each thing the admin lists, in Portuguese."""
    from catalog.models import (
        NotificationKind,
        SkuChangeNotification,
        SkuSuggestion,
        SuggestionState,
    )
    from core.beat import periodic_tasks_sync
    from imports.models import BatchStatus, ImportBatch
    from outbox.models import CommandState, VtexCommand

    periodic_tasks_sync()
    order = OrderFactory(status="handling", customer_first_name="Maria", customer_last_name="Souza")
    OrderItemFactory(order=order, name="Garrafa Térmica verde")
    OrderEventFactory(order=order)
    InvoiceFactory(order=order)
    VtexCommand.objects.create(
        subject=order,
        source="admin",
        kind="start-handling",
        key=f"{order.vtex_order_id}:start-handling",
        state=CommandState.REJECTED,
    )
    sku = SkuFactory()
    SkuSuggestion.objects.create(sku=sku, state=SuggestionState.SENT)
    SkuChangeNotification.objects.create(sku=sku, kind=NotificationKind.PRICE, reason="preço")
    ShippingRuleFactory(shipping_estimate="1bd")
    for status in (BatchStatus.NOTHING_IMPORTED, BatchStatus.DISCARDED, BatchStatus.CHECKED):
        ImportBatch.objects.create(
            kind="invoices", file_name="notas.csv", status=status, total_rows=1, valid_rows=1
        )
    return order


def admin_pages(group: str | None) -> list[str]:
    """Every admin page a user of ``group`` may open, and the ones it may not (the 403)."""
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        pages += [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:3]:
            pages += [reverse(f"{name}_change", args=[pk]), reverse(f"{name}_history", args=[pk])]
    pages += [
        reverse("admin:orders_order_export"),
        reverse("admin:imports_importbatch_upload", args=["invoices"]),
        reverse("admin:imports_importbatch_upload", args=["tracking"]),
        reverse("admin:imports_importbatch_upload", args=["skus"]),
    ]
    return list(dict.fromkeys(pages))


@pytest.mark.parametrize("group", ["Operations", "Finance", "Viewer", None])
def test_no_english_word_renders_in_portuguese(group, page, live_server, admin_login, shop):
    admin_login("operadora" if group else "superusuaria", group=group)
    found: dict[str, list[str]] = {}
    statuses: set[int] = set()
    for url in admin_pages(group):
        response = page.goto(f"{live_server.url}{url}")
        statuses.add(response.status)
        assert response.status in (200, 403), (url, response.status)
        one_object = url.endswith(("/change/", "/history/"))
        text = page_text(page, one_object=one_object)
        known = [line for page_url, line in REMAINING if url.startswith(page_url)]
        if known and "/export/" in url:
            # The picker's labels only; the page's own words are checked.
            text = re.sub(r"(?m)^\s*[A-Z][a-z]+(?: [A-Z][a-z]+)*(?: \(.*\))?\s*$", " ", text)
        elif known and "/upload/" in url:
            # The columns' table: its rows (cells joined by tabs) and their wrapped lines.
            text = re.sub(r"(?m)^.*(\t|, ).*$", " ", text)
        elif known:
            text = "\n".join(
                line for line in text.splitlines() if not line.strip().startswith(known[0])
            )
        if words := problems(text):
            found[url] = words
    assert not found, "\n".join(
        f"{url}: {problem}" for url, problems_ in found.items() for problem in problems_
    )
    assert 200 in statuses
