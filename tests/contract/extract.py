"""Keep in the repository what the contract tests need of VTEX's OpenAPI files, as facts.

    python -m tests.contract.extract SPEC_DIR     (or VTEX_OPENAPI_DIR=SPEC_DIR, no argument)

reads VTEX's official OpenAPI files from SPEC_DIR and writes `tests/contract/vtex_specs.json`:
for each spec, its file name, title, version and sha256, every route it documents (path,
method, operation id: what `find_operation` matches a URL against) and, for the operations in
`OPERATIONS` below (those the client, the sandbox and the seller endpoints use), their
parameters, request body and responses with the `components` they reference (transitively),
without descriptions, summaries, examples, tags or `x-` extensions; plus the source's name
and git commit. The output is deterministic (sorted keys), so rerunning it on the same files
changes nothing. `tests/contract/test_extract.py` checks, when VTEX_OPENAPI_DIR is set, that
the committed file is what this command writes.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

FACTS_FILE = Path(__file__).with_name("vtex_specs.json")
COMMAND = "python -m tests.contract.extract"
# The API names the contract checker uses, and VTEX's file for each.
SPEC_FILES = {
    "oms": "VTEX - Orders API.json",
    "catalog": "VTEX - Catalog API.json",
    "payments": "VTEX - Payments Gateway API.json",
    "marketplace-apis": "VTEX - Marketplace APIs.json",
    "sku-bindings": "VTEX - SKU Bindings API.json",
    "suggestions": "VTEX - Marketplace APIs - Suggestions.json",
    "seller-fulfillment": "VTEX - Marketplace Protocol - External Seller Fulfillment.json",
    "marketplace-services": "VTEX - Marketplace Protocol - External Seller Marketplace.json",
}

# (api, method, path template) of every operation the client sends, the sandbox answers or the
# seller endpoints serve. A request the tests check against an operation missing here fails,
# naming the line to add.
OPERATIONS: tuple[tuple[str, str, str], ...] = (
    ("oms", "get", "/api/oms/pvt/orders"),
    ("oms", "get", "/api/oms/pvt/orders/{orderId}"),
    ("oms", "post", "/api/oms/pvt/orders/{orderId}/cancel"),
    ("oms", "post", "/api/oms/pvt/orders/{orderId}/changes"),
    ("oms", "post", "/api/oms/pvt/orders/{orderId}/invoice"),
    ("oms", "patch", "/api/oms/pvt/orders/{orderId}/invoice/{invoiceNumber}"),
    ("oms", "put", "/api/oms/pvt/orders/{orderId}/invoice/{invoiceNumber}/tracking"),
    ("oms", "get", "/api/oms/pvt/orders/{orderId}/payment-transaction"),
    ("oms", "post", "/api/oms/pvt/orders/{orderId}/start-handling"),
    ("oms", "get", "/api/order-system/orders/changes/settings"),
    ("oms", "put", "/api/order-system/orders/changes/settings"),
    ("oms", "get", "/api/order-system/orders/{changeOrderId}/changes"),
    ("oms", "patch", "/api/order-system/orders/{changeOrderId}/changes"),
    ("oms", "post", "/api/order-system/orders/{changeOrderId}/changes/preview"),
    ("oms", "get", "/api/order-system/orders/{changeOrderId}/changes/{changeRequestId}"),
    ("oms", "post", "/api/order-system/orders/{changeOrderId}/changes/{changeRequestId}/cancel"),
    ("oms", "post", "/api/order-system/orders/{changeOrderId}/changes/{changeRequestId}/retry"),
    ("oms", "get", "/api/orders/feed"),
    ("oms", "post", "/api/orders/feed"),
    ("oms", "get", "/api/orders/feed/config"),
    ("oms", "post", "/api/orders/feed/config"),
    ("oms", "delete", "/api/orders/feed/config"),
    ("oms", "get", "/api/orders/hook/config"),
    ("oms", "post", "/api/orders/hook/config"),
    ("oms", "delete", "/api/orders/hook/config"),
    ("payments", "get", "/api/pvt/transactions/{transactionId}"),
    (
        "catalog",
        "post",
        "/api/catalog_system/pvt/skuseller/changenotification/{sellerId}/{sellerSkuId}",
    ),
    ("catalog", "post", "/api/catalog_system/pvt/skuseller/changenotification/{skuId}"),
    (
        "sku-bindings",
        "post",
        "/sku-binding/pvt/skuseller/changenotification/{sellerId}/{sellerSkuId}",
    ),
    ("marketplace-apis", "post", "/notificator/{sellerId}/changenotification/{skuId}/inventory"),
    ("marketplace-apis", "post", "/notificator/{sellerId}/changenotification/{skuId}/price"),
    ("suggestions", "get", "/suggestions/{sellerId}/{sellerSkuId}"),
    ("suggestions", "put", "/suggestions/{sellerId}/{sellerSkuId}"),
    ("marketplace-services", "post", "/pvt/orders/{marketplaceOrderId}/cancel"),
    ("marketplace-services", "post", "/pvt/orders/{marketplaceOrderId}/invoice"),
    ("marketplace-services", "post", "/pvt/orders/{marketplaceOrderId}/invoice/{invoiceNumber}"),
    (
        "marketplace-services",
        "post",
        "/pvt/orders/{marketplaceOrderId}/invoice/{invoiceNumber}/tracking",
    ),
    ("seller-fulfillment", "post", "/pvt/orderForms/simulation"),
    ("seller-fulfillment", "post", "/pvt/orders"),
    ("seller-fulfillment", "post", "/pvt/orders/{orderId}/cancel"),
    ("seller-fulfillment", "post", "/pvt/orders/{sellerOrderId}/fulfill"),
)

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Documentation, not structure: dropped wherever they are keywords (a property may be named so).
DROPPED = {"description", "summary", "example", "examples", "tags", "externalDocs", "title"}
# Keywords whose value is a map of names (property names, statuses, media types...) to objects.
NAME_MAPS = {
    "properties",
    "patternProperties",
    "definitions",
    "responses",
    "content",
    "headers",
    "encoding",
    "links",
    "callbacks",
}
# Keywords whose value is data, copied as it is.
VALUES = {"default", "enum", "const"}
# What an operation keeps; a path item keeps its operations and its shared parameters.
OPERATION_KEYS = ("operationId", "parameters", "requestBody", "responses")


class ExtractError(Exception):
    """A reason the facts cannot be written (said on the command line, no traceback)."""


def strip(node: Any, refs: set[str], *, names: bool = False) -> Any:
    """`node` without documentation; the `$ref`s it holds are added to `refs`.

    `names` says that `node` is a map of names (a schema's properties, an operation's
    responses...), whose keys are kept whatever they are."""
    if isinstance(node, list):
        return [strip(value, refs) for value in node]
    if not isinstance(node, dict):
        return node
    if names:
        return {key: strip(value, refs) for key, value in node.items()}
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if key in DROPPED or key.startswith("x-"):
            continue
        if key == "$ref" and isinstance(value, str):
            refs.add(value)
            kept[key] = value
        elif key in VALUES:
            kept[key] = copy.deepcopy(value)
        else:
            kept[key] = strip(value, refs, names=key in NAME_MAPS and isinstance(value, dict))
    return kept


def _component(spec: dict, ref: str, where: str) -> tuple[str, str, Any]:
    parts = ref.split("/")
    if len(parts) != 4 or parts[:2] != ["#", "components"]:
        raise ExtractError(f"{where}: unsupported $ref {ref!r} (only #/components/<kind>/<name>)")
    kind, name = parts[2], parts[3].replace("~1", "/").replace("~0", "~")
    try:
        return kind, name, spec["components"][kind][name]
    except (KeyError, TypeError):
        raise ExtractError(f"{where}: $ref {ref!r} points at nothing") from None


def routes(spec: dict) -> list[list[str]]:
    """[path, method, operation id] of every operation the spec documents, in its order."""
    found = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if isinstance(item, dict) and isinstance(item.get(method), dict):
                operation_id = item[method].get("operationId") or f"{method.upper()} {path}"
                found.append([path, method, operation_id])
    return found


def extract_spec(api: str, spec: dict, operations: Iterable[tuple[str, str]]) -> dict:
    """The facts of one parsed spec: its routes, and `operations` ((method, path) pairs) with
    the components they reference."""
    refs: set[str] = set()
    paths: dict[str, dict] = {}
    for method, path in operations:
        item = spec.get("paths", {}).get(path)
        if not isinstance(item, dict) or not isinstance(item.get(method), dict):
            raise ExtractError(
                f"OPERATIONS lists {api} {method.upper()} {path}, which VTEX's file does not "
                "document (any more): fix the list in tests/contract/extract.py"
            )
        kept = paths.setdefault(path, {})
        if "parameters" in item:
            kept["parameters"] = strip(item["parameters"], refs)
        operation = item[method]
        kept[method] = strip({k: operation[k] for k in OPERATION_KEYS if k in operation}, refs)
    components: dict[str, dict] = {}
    pending = sorted(refs)
    seen = set(pending)
    while pending:
        ref = pending.pop()
        kind, name, target = _component(spec, ref, api)
        found: set[str] = set()
        components.setdefault(kind, {})[name] = strip(target, found)
        pending.extend(sorted(found - seen))
        seen |= found
    return {"routes": routes(spec), "paths": paths, "components": components}


def extract_files(
    files: Mapping[str, tuple[str, bytes]],
    operations: Iterable[tuple[str, str, str]] = (),
    source: dict | None = None,
) -> dict:
    """The facts of `files` ({api: (file name, content)}) for `operations`."""
    wanted: dict[str, list[tuple[str, str]]] = {api: [] for api in files}
    for api, method, path in operations:
        if api not in wanted:
            raise ExtractError(f"OPERATIONS names {api!r}, which is not one of {sorted(files)}")
        wanted[api].append((method, path))
    apis = {}
    for api, (filename, content) in files.items():
        try:
            spec = json.loads(content)
        except ValueError as error:
            raise ExtractError(f"{filename} is not JSON: {error}") from None
        if not isinstance(spec, dict) or not isinstance(spec.get("paths"), dict):
            raise ExtractError(f"{filename} is not an OpenAPI file (no paths)")
        info = spec.get("info") if isinstance(spec.get("info"), dict) else {}
        apis[api] = {
            "file": filename,
            "sha256": hashlib.sha256(content).hexdigest(),
            "openapi": spec.get("openapi"),
            "title": info.get("title"),
            "version": info.get("version"),
            **extract_spec(api, spec, wanted[api]),
        }
    return {
        "generated_by": f"{COMMAND} SPEC_DIR (do not edit: rerun it)",
        "source": source or {},
        "apis": apis,
    }


def _git(directory: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return url


def describe_source(spec_dir: Path, filenames: Iterable[str]) -> dict:
    """The source's name and, when the files are tracked in a git checkout, its commit (no
    machine path: the folder's own name, and the repository's address without credentials)."""
    filenames = sorted(filenames)
    source: dict[str, Any] = {"name": spec_dir.resolve().name}
    commit = _git(spec_dir, "rev-parse", "HEAD")
    tracked = _git(spec_dir, "ls-files", "--", *filenames) if commit else None
    if not commit or tracked is None or len(tracked.splitlines()) < len(filenames):
        source["git"] = "not a git checkout"
        return source
    remote = _git(spec_dir, "config", "--get", "remote.origin.url")
    source["git"] = {
        "commit": commit,
        "modified": bool(_git(spec_dir, "status", "--porcelain", "--", *filenames)),
        "repository": _without_credentials(remote) if remote else None,
        "folder": _git(spec_dir, "rev-parse", "--show-prefix") or "",
    }
    return source


def extract(spec_dir: Path, operations: Iterable[tuple[str, str, str]] | None = None) -> dict:
    """The facts of VTEX's files in `spec_dir` for `operations` (default: OPERATIONS)."""
    if not spec_dir.is_dir():
        raise ExtractError(f"{spec_dir} is not a folder (it should hold VTEX's OpenAPI files)")
    files = {}
    for api, filename in SPEC_FILES.items():
        try:
            files[api] = (filename, (spec_dir / filename).read_bytes())
        except OSError as error:
            raise ExtractError(f"{filename} cannot be read in {spec_dir}: {error}") from None
    source = describe_source(spec_dir, SPEC_FILES.values())
    return extract_files(files, OPERATIONS if operations is None else operations, source)


def render(facts: dict) -> str:
    """Deterministic JSON (sorted keys), one line per route, operation and component: compact,
    and a change in VTEX's files shows in a diff as the lines of what changed."""
    return _render(facts, 0) + "\n"


# Down to this depth (facts > apis > api > paths > path > method), a value spans lines.
_EXPANDED_DEPTH = 5


def _render(node: Any, depth: int) -> str:
    expand = isinstance(node, dict) or (isinstance(node, list) and depth < 4)
    if not node or not expand or depth >= _EXPANDED_DEPTH:
        return json.dumps(node, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    indent = "\n" + " " * (depth + 1)
    if isinstance(node, list):
        items = [_render(value, depth + 1) for value in node]
        return "[" + ",".join(indent + item for item in items) + "\n" + " " * depth + "]"
    items = [
        json.dumps(key, ensure_ascii=False) + ":" + _render(node[key], depth + 1)
        for key in sorted(node)
    ]
    return "{" + ",".join(indent + item for item in items) + "\n" + " " * depth + "}"


def stale_parts(fresh: dict, committed: dict) -> list[str]:
    """What differs between freshly extracted facts and the committed ones, source aside."""
    differences = []
    for api in sorted(set(fresh.get("apis", {})) | set(committed.get("apis", {}))):
        new, old = fresh.get("apis", {}).get(api), committed.get("apis", {}).get(api)
        if new is None or old is None:
            differences.append(f"{api}: {'gone from' if new is None else 'new in'} the specs")
        elif new["sha256"] != old["sha256"]:
            differences.append(f"{api}: {new['file']} changed (sha256 {new['sha256'][:12]})")
        elif new != old:
            differences.append(f"{api}: the extracted operations differ (OPERATIONS changed?)")
    for key in sorted(set(fresh) | set(committed)):
        if key not in ("apis", "source") and fresh.get(key) != committed.get(key):
            differences.append(f"{key} differs")
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=COMMAND,
        description="Write tests/contract/vtex_specs.json from VTEX's OpenAPI files.",
    )
    parser.add_argument(
        "spec_dir",
        nargs="?",
        type=Path,
        help="the folder of VTEX's OpenAPI files (default: $VTEX_OPENAPI_DIR)",
    )
    parser.add_argument("--output", type=Path, default=FACTS_FILE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    spec_dir = args.spec_dir or os.environ.get("VTEX_OPENAPI_DIR")
    if not spec_dir:
        parser.error("give the folder of VTEX's OpenAPI files, or set VTEX_OPENAPI_DIR")
    try:
        facts = extract(Path(spec_dir))
    except ExtractError as error:
        print(f"{COMMAND}: {error}", file=sys.stderr)
        return 1
    text = render(facts)
    args.output.write_text(text, encoding="utf-8")
    operations = sum(
        method in METHODS
        for api in facts["apis"].values()
        for item in api["paths"].values()
        for method in item
    )
    print(f"Wrote {args.output}: {operations} operations, {len(text.encode()) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
