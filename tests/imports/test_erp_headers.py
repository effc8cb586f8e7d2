"""The headers ERPs write: every header of docs/imports.md's table is read as its column, any
spelling variant of an accepted name (case, accents, punctuation, "Nº"/"No."/"Número") is read
as the same column, no two columns of a kind share a name, and no column of a file is ever
left out in silence."""

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imports.files import BY_NAME, REASONS, UNKNOWN, FileRefused, column_named, columns_match
from imports.kinds import header_key, headers_signature, import_kind, import_kinds

DOC = Path(__file__).resolve().parents[2] / "docs" / "imports.md"
ROW = re.compile(r"^\| ([a-z, ]+) \| `(\w+)` \| `([^`]+)` \| (.+) \|$")


def documented() -> list[tuple[str, str, str]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            for kind in match.group(1).split(", "):
                rows.append((kind, match.group(2), match.group(3)))
    return rows


def test_the_documented_table_is_long_and_holds_the_issue_s_headers():
    headers = {header for _kind, _column, header in documented()}
    assert len(documented()) > 50
    for header in ("Chave de Acesso", "Cód. Rastreio", "Nº NF", "Número da Nota", "Pedido VTEX"):
        assert header in headers


@pytest.mark.parametrize(("kind", "column", "header"), documented())
def test_each_documented_erp_header_is_read_as_its_column(kind, column, header):
    assert column_named(import_kind(kind), header) == column


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Valor Total da Nota", "invoice_value"),
        ("Data de Emissão", "issuance_date"),
        ("Pedido VTEX", "order_id"),
        ("Nº NF", "invoice_number"),
        ("No. NF", "invoice_number"),
        ("N° NF", "invoice_number"),
        ("Núm. NF", "invoice_number"),
        ("Número NF", "invoice_number"),
        ("NUMERO_DA_NOTA", "invoice_number"),
        ("Chave de Acesso", "invoice_key"),
        ("CHAVE-DE-ACESSO", "invoice_key"),
        ("Cód. Rastreio", "tracking_number"),
        ("Código de Rastreio", "tracking_number"),
        ("Série", ""),
        ("CNPJ/CPF do Destinatário", ""),
        ("Observação", ""),
    ],
)
def test_the_issue_s_erp_file_headers(header, column):
    assert column_named(import_kind("invoices"), header) == column


def test_preco_de_is_the_list_price_not_the_price():
    skus = import_kind("skus")
    assert column_named(skus, "Preço De") == "list_price"
    assert column_named(skus, "Preço") == "price"
    assert header_key("Data de Emissão") == header_key("data emissao") == "data_emissao"


@pytest.mark.parametrize("kind", [kind.name for kind in import_kinds()])
def test_no_two_columns_of_a_kind_share_an_accepted_name(kind):
    seen: dict[str, str] = {}
    for column in import_kind(kind).columns:
        for key in column.accepted:
            assert seen.setdefault(key, column.name) == column.name, (key, column.name)


NUMBER_SPELLINGS = ("Nº", "No.", "N°", "Nro.", "Nr", "Num.", "Núm.", "Número", "numero", "N.")
SEPARATORS = (" ", "_", "-", ".", " - ", "/", "  ")


def accepted_names() -> list[tuple[str, str, str]]:
    return [
        (kind.name, column.name, alias)
        for kind in import_kinds()
        for column in kind.columns
        for alias in (column.name, *column.aliases)
    ]


@st.composite
def variants(draw):
    """An accepted name written another way: each letter's case, accents added or taken, the
    separators between words, "number" spelled any way, and spaces around it."""
    kind, column, alias = draw(st.sampled_from(accepted_names()))
    words = [word for word in re.split(r"[\s_\-./]+", alias) if word]
    written = []
    for word in words:
        if header_key(word) == "numero":
            written.append(draw(st.sampled_from(NUMBER_SPELLINGS)))
            continue
        letters = []
        for char in word:
            char = char.upper() if draw(st.booleans()) else char.lower()
            plain = unicodedata.normalize("NFKD", char)[0]
            if plain in "aeiouAEIOU" and draw(st.booleans()):
                accent = draw(st.sampled_from("\u0301\u0300\u0302\u0303"))
                char = unicodedata.normalize("NFC", plain + accent)
            letters.append(char)
        written.append("".join(letters))
    text = written[0]
    for word in written[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + word
    padding = draw(st.sampled_from(("", " ", "\ufeff", "  ")))
    return kind, column, padding + text + draw(st.sampled_from(("", " ", ".", ":")))


@settings(max_examples=400, deadline=None)
@given(variants())
def test_any_spelling_of_an_accepted_name_is_read_as_its_column(variant):
    kind, column, header = variant
    assert column_named(import_kind(kind), header) == column, header


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=30), min_size=1, max_size=12))
def test_no_column_of_a_file_is_left_out_in_silence(headers):
    """Whatever the header, every named column is read by its name or is unknown (the
    operator must decide): none is dropped, and an unknown one is read as nothing."""
    kind = import_kind("invoices")
    headers = [header.strip().lstrip("\ufeff").strip() for header in headers]
    try:
        _positions, columns, _missing = columns_match(headers, kind, {})
    except FileRefused:
        return  # a column given twice, or a required one missing with nothing to map
    assert [column.header for column in columns] == [header for header in headers if header]
    for column in columns:
        assert column.how in (BY_NAME, UNKNOWN, REASONS)
        if column.how == BY_NAME:
            assert column.field == column_named(kind, column.header) != ""
        else:
            assert column.field == "" and column_named(kind, column.header) == ""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=20), max_size=10), st.randoms())
def test_the_header_signature_ignores_the_columns_order_not_a_new_column(headers, random):
    shuffled = list(headers)
    random.shuffle(shuffled)
    assert headers_signature(shuffled) == headers_signature(headers)
    if header_key("Observação") not in {header_key(header) for header in headers}:
        assert headers_signature([*headers, "Observação"]) != headers_signature(headers)
