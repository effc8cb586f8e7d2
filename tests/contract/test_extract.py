"""The facts kept of VTEX's OpenAPI files: the extract command, and that the committed file is
current (when VTEX's files are at hand: VTEX_OPENAPI_DIR)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.app import VTEX_RULES
from tests.conftest import service_missing
from tests.contract import extract
from tests.contract.extract import ExtractError, extract_files, render
from tests.contract.openapi import METHODS, _resolve, find_operation

ORDER_SPEC = {
    "openapi": "3.0.0",
    "info": {"title": "Orders", "version": "1.0", "description": "VTEX's orders."},
    "tags": [{"name": "Orders"}],
    "paths": {
        "/api/oms/pvt/orders/{orderId}": {
            "get": {
                "operationId": "GetOrder",
                "summary": "Get order",
                "description": "Long prose.",
                "tags": ["Orders"],
                "deprecated": False,
                "security": [{"appKey": []}],
                "x-vtex-note": "internal",
                "parameters": [
                    {"$ref": "#/components/parameters/Accept"},
                    {
                        "name": "orderId",
                        "in": "path",
                        "required": True,
                        "description": "The order.",
                        "example": "1-01",
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Order"},
                                "example": {"orderId": "1-01"},
                            }
                        },
                    }
                },
            },
            "delete": {"operationId": "Forget", "responses": {"204": {"description": "gone"}}},
        },
        "/api/oms/pvt/orders": {"get": {"responses": {"200": {"description": "list"}}}},
    },
    "components": {
        "parameters": {
            "Accept": {"name": "Accept", "in": "header", "schema": {"type": "string"}},
        },
        "schemas": {
            "Order": {
                "type": "object",
                "title": "Order",
                "description": "An order.",
                "required": ["orderId", "description"],
                "properties": {
                    # Properties named like documentation keywords are fields: kept.
                    "description": {"type": "string", "description": "The order's note."},
                    "example": {"type": "integer"},
                    "x-flag": {"type": "boolean"},
                    "orderId": {"type": "string", "example": "1-01"},
                    "status": {
                        "type": "string",
                        "enum": ["handling", "invoiced"],
                        "default": "handling",
                    },
                    "meta": {"type": "object", "default": {"description": "data, not prose"}},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
                },
            },
            "Item": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "bundle": {"$ref": "#/components/schemas/Item"},
                    "price": {"$ref": "#/components/schemas/Money~1Cents"},
                },
            },
            "Money/Cents": {"type": "integer", "minimum": 0, "description": "In cents."},
            "Unused": {"type": "string"},
        },
    },
}


def _files(spec: dict, api: str = "oms") -> dict:
    return {api: (f"{api}.json", json.dumps(spec).encode())}


def _extracted(spec: dict, operations, api: str = "oms") -> dict:
    return extract_files(_files(spec, api), operations)["apis"][api]


def _doc_keys(node, *, names: bool = False) -> list:
    """Documentation keywords left in `node` (property names aside)."""
    if isinstance(node, list):
        return [found for value in node for found in _doc_keys(value)]
    if not isinstance(node, dict):
        return []
    if names:
        return [found for value in node.values() for found in _doc_keys(value)]
    found = [key for key in node if key in extract.DROPPED or key.startswith("x-")]
    for key, value in node.items():
        if key not in extract.VALUES:
            found.extend(_doc_keys(value, names=key in extract.NAME_MAPS))
    return found


# -- the committed file ---------------------------------------------------------------------------


def _committed() -> dict:
    return json.loads(extract.FACTS_FILE.read_text(encoding="utf-8"))


def test_the_committed_facts_are_current():
    spec_dir = os.environ.get("VTEX_OPENAPI_DIR")
    if not spec_dir:
        service_missing(
            "VTEX's OpenAPI files: set VTEX_OPENAPI_DIR to check that "
            "tests/contract/vtex_specs.json is current"
        )

    stale = extract.stale_parts(extract.extract(Path(spec_dir)), _committed())

    assert not stale, (
        f"{extract.FACTS_FILE.name} is not what VTEX's files in {spec_dir} give:\n  "
        + "\n  ".join(stale)
        + f"\nrerun: python -m tests.contract.extract {spec_dir}"
    )


def test_the_committed_facts_hold_exactly_the_listed_operations():
    facts = _committed()
    held = {
        (api, method, path)
        for api, spec in facts["apis"].items()
        for path, item in spec["paths"].items()
        for method in item
        if method in extract.METHODS
    }

    assert held == set(extract.OPERATIONS), "rerun: python -m tests.contract.extract SPEC_DIR"
    assert set(facts["apis"]) == set(extract.SPEC_FILES)
    assert render(facts) == extract.FACTS_FILE.read_text(encoding="utf-8")


def test_every_vtex_route_the_sandbox_serves_is_a_listed_operation():
    listed = set(extract.OPERATIONS)
    for rule in VTEX_RULES.iter_rules():
        path = re.sub(r"<[^>]+>", "x1", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            # Raises, naming the line to add to OPERATIONS, for a route the facts do not hold.
            operation = find_operation(method, path)
            assert (operation.api, operation.method, operation.path) in listed, rule


def test_the_committed_facts_hold_no_documentation_and_name_their_source():
    facts = _committed()

    for api, spec in facts["apis"].items():
        assert not _doc_keys(spec["paths"], names=True), api
        assert not _doc_keys(spec["components"], names=True), api
        assert len(spec["sha256"]) == 64
        assert spec["file"] == extract.SPEC_FILES[api]
    assert facts["source"]["name"]
    assert facts["source"]["git"]


# -- what the extract keeps -----------------------------------------------------------------------


def test_an_operation_keeps_its_structure_without_documentation():
    spec = _extracted(ORDER_SPEC, [("oms", "get", "/api/oms/pvt/orders/{orderId}")])

    operation = spec["paths"]["/api/oms/pvt/orders/{orderId}"]["get"]
    assert operation == {
        "operationId": "GetOrder",
        "parameters": [
            {"$ref": "#/components/parameters/Accept"},
            {"name": "orderId", "in": "path", "required": True, "schema": {"type": "string"}},
        ],
        "responses": {
            "200": {
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}
            }
        },
    }
    order = spec["components"]["schemas"]["Order"]
    assert order["required"] == ["orderId", "description"]
    assert order["properties"]["description"] == {"type": "string"}
    assert order["properties"]["example"] == {"type": "integer"}
    assert order["properties"]["x-flag"] == {"type": "boolean"}
    assert order["properties"]["orderId"] == {"type": "string"}
    assert order["properties"]["status"]["enum"] == ["handling", "invoiced"]
    assert order["properties"]["meta"]["default"] == {"description": "data, not prose"}
    assert "title" not in order
    assert "description" not in order


def test_only_the_components_the_operations_reach_are_carried_over():
    spec = _extracted(ORDER_SPEC, [("oms", "get", "/api/oms/pvt/orders/{orderId}")])

    # Order -> Item -> Item (recursive) and Money/Cents (a "/" in its name, "~1" in the $ref).
    assert sorted(spec["components"]["schemas"]) == ["Item", "Money/Cents", "Order"]
    assert spec["components"]["schemas"]["Money/Cents"] == {"type": "integer", "minimum": 0}
    assert list(spec["components"]["parameters"]) == ["Accept"]
    assert list(spec["paths"]) == ["/api/oms/pvt/orders/{orderId}"]
    assert list(spec["paths"]["/api/oms/pvt/orders/{orderId}"]) == ["get"]


def test_every_documented_route_is_listed_in_the_spec_order():
    spec = _extracted(ORDER_SPEC, [])

    assert spec["routes"] == [
        ["/api/oms/pvt/orders/{orderId}", "get", "GetOrder"],
        ["/api/oms/pvt/orders/{orderId}", "delete", "Forget"],
        ["/api/oms/pvt/orders", "get", "GET /api/oms/pvt/orders"],
    ]
    assert spec["paths"] == {}
    assert spec["components"] == {}


def test_the_file_is_named_with_its_title_version_and_hash():
    content = json.dumps(ORDER_SPEC).encode()
    facts = extract_files({"oms": ("Orders.json", content)}, [])

    spec = facts["apis"]["oms"]
    assert (spec["file"], spec["title"], spec["version"]) == ("Orders.json", "Orders", "1.0")
    assert spec["sha256"] == hashlib.sha256(content).hexdigest()
    assert facts["generated_by"].startswith("python -m tests.contract.extract")


@pytest.mark.parametrize(
    ("operations", "message"),
    [
        ([("oms", "post", "/api/oms/pvt/orders/{orderId}")], "does not document"),
        ([("oms", "get", "/nowhere")], "does not document"),
        ([("catalog", "get", "/api/oms/pvt/orders")], "'catalog', which is not one of"),
    ],
)
def test_a_listed_operation_the_spec_lacks_is_refused(operations, message):
    with pytest.raises(ExtractError, match=message):
        extract_files(_files(ORDER_SPEC), operations)


def test_a_reference_to_nothing_is_refused():
    spec = json.loads(json.dumps(ORDER_SPEC))
    del spec["components"]["schemas"]["Item"]

    with pytest.raises(ExtractError, match=r"'#/components/schemas/Item' points at nothing"):
        _extracted(spec, [("oms", "get", "/api/oms/pvt/orders/{orderId}")])


@pytest.mark.parametrize(
    "content", [b"", b"\x00\xff", b"[1, 2]", b'{"openapi": "3.0.0"}', b"{" * 10_000]
)
def test_a_file_that_is_no_openapi_file_is_refused(content):
    with pytest.raises(ExtractError, match=r"oms\.json is not"):
        extract_files({"oms": ("oms.json", content)}, [])


# -- property: the extract resolves to what the full spec resolves to, documentation aside -----

NAMES = ["Order", "Item", "Money/Cents", "Tilde~Name"]
FIELD_NAMES = ["id", "description", "example", "x-note", "title", "$ref", "tags"]
PROSE = st.text(max_size=5)
DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | PROSE,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["description", "x-a", "k"]), children, max_size=3)
    ),
    max_leaves=6,
)


def _ref(name: str) -> dict:
    return {"$ref": "#/components/schemas/" + name.replace("~", "~0").replace("/", "~1")}


def _schemas(names: list[str]):
    leaf = st.sampled_from(
        [{"type": "string"}, {"type": "integer", "nullable": True}]
    ) | st.sampled_from(names).map(_ref)

    def containers(children):
        documented = st.fixed_dictionaries(
            {},
            optional={"description": PROSE, "example": DATA, "x-vtex": DATA, "title": PROSE},
        )
        objects = st.builds(
            lambda props, docs, default: {
                "type": "object",
                "properties": props,
                "required": sorted(props)[:1],
                "default": default,
                **docs,
            },
            st.dictionaries(st.sampled_from(FIELD_NAMES), children, max_size=4),
            documented,
            DATA,
        )
        arrays = st.builds(lambda item: {"type": "array", "items": item}, children)
        all_of = st.builds(lambda parts: {"allOf": parts}, st.lists(children, max_size=2))
        return objects | arrays | all_of

    # Few leaves: resolving inlines every reference, so a wide graph grows exponentially.
    return st.recursive(leaf, containers, max_leaves=4)


@st.composite
def specs(draw):
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, unique=True))
    schemas = {name: draw(_schemas(names)) for name in names}
    paths = {}
    for index in range(draw(st.integers(1, 3))):
        paths[f"/things/{index}/{{id}}"] = {
            "post": {
                "operationId": f"Thing{index}",
                "description": draw(PROSE),
                "requestBody": {"content": {"application/json": {"schema": draw(_schemas(names))}}},
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": draw(_schemas(names))}},
                    }
                },
            }
        }
    spec = {"openapi": "3.0.0", "info": {"title": "T"}, "paths": paths}
    spec["components"] = {"schemas": schemas}
    chosen = draw(st.lists(st.sampled_from(sorted(paths)), unique=True))
    return spec, chosen


def _refs_reached(spec: dict, node, seen: set[str], *, fields: bool = False) -> set[str]:
    """The component names `node` reaches, walking every schema but documentation data
    (`fields`: `node` maps field names, whatever they are, to schemas)."""
    if isinstance(node, list):
        for value in node:
            _refs_reached(spec, value, seen)
    elif isinstance(node, dict):
        ref = None if fields else node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
            if name not in seen:
                seen.add(name)
                _refs_reached(spec, spec["components"]["schemas"][name], seen)
        for key, value in node.items():
            if fields or key not in ("example", "default", "x-vtex"):
                _refs_reached(spec, value, seen, fields=not fields and key == "properties")
    return seen


@settings(max_examples=100, deadline=None)
@given(specs())
def test_the_extract_resolves_like_the_full_spec_without_its_documentation(drawn):
    spec, chosen = drawn

    kept = _extracted(spec, [("oms", "post", path) for path in chosen])

    assert not _doc_keys(kept["paths"], names=True)
    assert not _doc_keys(kept["components"], names=True)
    for path in chosen:
        full = spec["paths"][path]["post"]
        ours = kept["paths"][path]["post"]
        for part in ("requestBody", "responses"):
            assert _resolve(ours[part], kept) == extract.strip(_resolve(full[part], spec), set())
    reached: set[str] = set()
    for path in chosen:
        _refs_reached(spec, spec["paths"][path], reached)
    assert set(kept["components"].get("schemas", {})) == reached


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_the_rendered_file_reads_back_as_what_was_written(facts):
    text = render(facts)

    assert json.loads(text) == facts
    assert render(json.loads(text)) == text


# -- the command line, and the source it names ------------------------------------------------


def _spec_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for filename in extract.SPEC_FILES.values():
        (folder / filename).write_text(json.dumps(ORDER_SPEC), encoding="utf-8")
    return folder


OPERATION = ("oms", "get", "/api/oms/pvt/orders/{orderId}")


def test_the_command_writes_the_same_file_twice(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(extract, "OPERATIONS", (OPERATION,))
    folder = _spec_folder(tmp_path / "vtex-openapi")
    output = tmp_path / "facts.json"

    assert extract.main([str(folder), "--output", str(output)]) == 0
    first = output.read_bytes()
    monkeypatch.setenv("VTEX_OPENAPI_DIR", str(folder))
    assert extract.main(["--output", str(output)]) == 0

    assert output.read_bytes() == first
    facts = json.loads(first)
    assert facts["source"] == {"name": "vtex-openapi", "git": "not a git checkout"}
    assert (
        "GetOrder"
        in facts["apis"]["oms"]["paths"]["/api/oms/pvt/orders/{orderId}"]["get"]["operationId"]
    )
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"Wrote {output}: 1 operations")


def test_the_command_explains_a_missing_folder_without_a_traceback(tmp_path):
    output = tmp_path / "facts.json"

    missing = str(tmp_path / "nowhere")

    done = subprocess.run(
        [sys.executable, "-m", "tests.contract.extract", missing, "--output", str(output)],
        capture_output=True,
        text=True,
        check=False,
        env={key: value for key, value in os.environ.items() if key != "VTEX_OPENAPI_DIR"},
    )

    assert done.returncode == 1
    assert "nowhere is not a folder" in done.stderr
    assert "Traceback" not in done.stderr
    assert not output.exists()


def test_the_command_needs_a_folder(monkeypatch, capsys):
    monkeypatch.delenv("VTEX_OPENAPI_DIR", raising=False)

    with pytest.raises(SystemExit) as exit_:
        extract.main([])

    assert exit_.value.code == 2
    assert "set VTEX_OPENAPI_DIR" in capsys.readouterr().err


def test_a_missing_spec_file_is_named(tmp_path):
    folder = _spec_folder(tmp_path / "specs")
    (folder / extract.SPEC_FILES["payments"]).unlink()

    with pytest.raises(ExtractError, match=r"VTEX - Payments Gateway API\.json cannot be read"):
        extract.extract(folder, [OPERATION])


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_a_git_checkout_is_named_by_its_commit_and_address_without_credentials(tmp_path):
    repository = tmp_path / "openapi-schemas"
    folder = _spec_folder(repository / "VTEX")
    _git(repository, "init", "-q")
    _git(repository, "remote", "add", "origin", "https://bot:s3cr3t@github.com/vtex/schemas.git")
    _git(repository, "add", ".")
    _git(repository, "commit", "-q", "-m", "specs")
    head = _git(repository, "rev-parse", "HEAD")

    clean = extract.describe_source(folder, extract.SPEC_FILES.values())
    (folder / extract.SPEC_FILES["oms"]).write_text("{}", encoding="utf-8")
    modified = extract.describe_source(folder, extract.SPEC_FILES.values())

    assert clean == {
        "name": "VTEX",
        "git": {
            "commit": head,
            "modified": False,
            "repository": "https://github.com/vtex/schemas.git",
            "folder": "VTEX/",
        },
    }
    assert "s3cr3t" not in json.dumps(clean)
    assert modified["git"]["modified"] is True


def test_files_a_checkout_does_not_track_are_not_named_by_its_commit(tmp_path):
    repository = tmp_path / "repo"
    repository.mkdir()
    _git(repository, "init", "-q")
    _git(repository, "commit", "-q", "--allow-empty", "-m", "empty")
    folder = _spec_folder(repository / "specs")

    assert extract.describe_source(folder, extract.SPEC_FILES.values())["git"] == (
        "not a git checkout"
    )


def test_staleness_names_what_changed():
    facts = extract_files(_files(ORDER_SPEC), [OPERATION])
    changed = json.loads(json.dumps(ORDER_SPEC))
    changed["components"]["schemas"]["Order"]["required"] = ["orderId"]
    newer = extract_files(_files(changed), [OPERATION])
    listed = extract_files(_files(ORDER_SPEC), [])
    moved = {**json.loads(json.dumps(facts)), "source": {"name": "elsewhere"}}

    assert extract.stale_parts(facts, moved) == []
    assert extract.stale_parts(newer, facts) == [
        f"oms: oms.json changed (sha256 {newer['apis']['oms']['sha256'][:12]})"
    ]
    assert extract.stale_parts(listed, facts) == [
        "oms: the extracted operations differ (OPERATIONS changed?)"
    ]
    assert extract.stale_parts({**facts, "apis": {}}, facts) == ["oms: gone from the specs"]


def test_every_listed_operation_uses_a_method_the_checker_matches():
    assert {method for _api, method, _path in extract.OPERATIONS} <= set(METHODS)
