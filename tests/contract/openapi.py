"""Check HTTP exchanges against VTEX's official OpenAPI files, as the repository keeps them.

    validate_request(method, url_path, body, *, api=None)
    validate_response(method, url_path, status, body, *, content_type=..., api=None)
    validate_exchange(response, *, api=None)   # a requests.Response: request and response
    validate_hook_notification(body)

Each raises `ContractError` (an AssertionError) naming the operation and the
failing fields. `url_path` is the path as sent under one base URL (query string
allowed): VTEX-host APIs match exactly, with `/api` in front for the specs whose
server URL carries it (Marketplace APIs, SKU Bindings); the sandbox's marketplace
services endpoint is mounted at `/marketplace-services/api/oms`. The seller-side
specs have no fixed host, so pass `api="seller-fulfillment"` (VTEX -> seller) or
`api="marketplace-services"` (seller -> marketplace) and the path only has to end
with the spec path. The specs are read from `tests/contract/vtex_specs.json`, the facts
`python -m tests.contract.extract SPEC_DIR` takes from VTEX's files (every route, and the
operations the project uses); schemas are resolved once and cached.
Known spec mistakes are overridden in `tests/contract/spec_quirks.py`."""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

from tests.contract.extract import COMMAND, FACTS_FILE
from tests.contract.spec_quirks import ERROR_ENVELOPE, NO_BODY, quirks_for

# Where each API is served, under one base URL: "" or the prefix its server URL carries; None
# for the seller-side specs, which have no fixed host (the path only has to end with theirs).
MOUNT_PREFIXES = {
    "oms": "",
    "catalog": "",
    "payments": "",
    "marketplace-apis": "/api",
    "sku-bindings": "/api",
    "suggestions": "",
    "seller-fulfillment": None,
    "marketplace-services": None,
}
# APIs served on a VTEX host (one base URL in tests): matched on the exact path.
HOST_APIS = ("oms", "catalog", "payments", "marketplace-apis", "sku-bindings", "suggestions")
# Path prefixes under which the sandbox serves an endpoint-based API.
MOUNTS = {"/marketplace-services/api/oms": "marketplace-services"}
METHODS = ("get", "post", "put", "patch", "delete")
REFRESH = f"{COMMAND} $VTEX_OPENAPI_DIR"


class ContractError(AssertionError):
    pass


@functools.cache
def _facts() -> dict:
    try:
        with open(FACTS_FILE, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        raise ContractError(
            f"{FACTS_FILE.name} cannot be read ({error}): rerun {REFRESH}"
        ) from None


@functools.cache
def load_spec(api: str) -> dict:
    """What the repository keeps of VTEX's spec for `api`: the routes it documents and, for the
    operations the project uses, their paths and the components they reference."""
    return _facts()["apis"][api]


@dataclass(frozen=True)
class Operation:
    api: str
    method: str
    path: str
    operation_id: str

    @property
    def spec(self) -> dict:
        return load_spec(self.api)["paths"][self.path][self.method]

    def __str__(self) -> str:
        return f"{self.api} {self.operation_id} ({self.method.upper()} {self.path})"


def _template_regex(template: str) -> str:
    parts = re.split(r"(\{[^}]+\})", template)
    return "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)


@functools.cache
def _routes(api: str) -> list[tuple[re.Pattern, re.Pattern, int, str, str, str]]:
    """(exact regex, suffix regex, literal length, method, template, operation id), best first."""
    routes = []
    for template, method, operation_id in load_spec(api)["routes"]:
        if method not in METHODS:
            continue
        body = _template_regex(template)
        literal = len(re.sub(r"\{[^}]+\}", "", template))
        routes.append(
            (
                re.compile(f"^{body}$"),
                re.compile(f"^.*?{body}$"),
                literal,
                method,
                template,
                operation_id,
            )
        )
    routes.sort(key=lambda route: -route[2])
    return routes


def _match(api: str, method: str, path: str, *, suffix: bool) -> Operation | None:
    for exact, ending, _literal, route_method, template, operation_id in _routes(api):
        if route_method == method and (ending if suffix else exact).match(path):
            operation = Operation(api, method, template, operation_id)
            if method not in load_spec(api)["paths"].get(template, {}):
                raise ContractError(
                    f"{method.upper()} {path} is {operation}, which {FACTS_FILE.name} does not "
                    f'hold: add ("{api}", "{method}", "{template}") to OPERATIONS in '
                    f"tests/contract/extract.py and rerun {REFRESH}"
                )
            return operation
    return None


def find_operation(method: str, url_path: str, *, api: str | None = None) -> Operation:
    method = method.lower()
    path = urlsplit(url_path).path or "/"
    if api is not None:
        mount = MOUNT_PREFIXES[api]
        found = None
        if mount is None:
            found = _match(api, method, path, suffix=True)
        elif path.startswith(mount):
            found = _match(api, method, path[len(mount) :] or "/", suffix=False)
        if found is None:
            raise ContractError(f"No {api} operation for {method.upper()} {path}")
        return found
    for prefix, mounted_api in MOUNTS.items():
        if path.startswith(prefix + "/"):
            found = _match(mounted_api, method, path[len(prefix) :], suffix=False)
            if found is not None:
                return found
    for host_api in HOST_APIS:
        mount = MOUNT_PREFIXES[host_api]
        if mount and not path.startswith(mount + "/"):
            continue
        found = _match(host_api, method, path[len(mount) :], suffix=False)
        if found is not None:
            return found
    raise ContractError(f"No VTEX operation for {method.upper()} {path}")


# -- schemas --------------------------------------------------------------------------------------


def _resolve(node: Any, spec: dict, stack: tuple[str, ...] = ()) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in stack:
                # A recursive schema: accept anything below the second visit.
                return {}
            target: Any = spec
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return _resolve(target, spec, (*stack, ref))
        return {key: _resolve(value, spec, stack) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(value, spec, stack) for value in node]
    return node


def _apply_quirks(operation: Operation, part: str, schema: Any) -> Any:
    for quirk in quirks_for(operation.api, operation.operation_id, part):
        if not quirk.pointer:
            schema = quirk.schema
            continue
        schema = copy.deepcopy(schema) if schema is not None else {}
        node = schema
        for key in quirk.pointer[:-1]:
            node = node.setdefault(key, {})
        node[quirk.pointer[-1]] = copy.deepcopy(quirk.schema)
    return schema


def _media_schema(content: dict | None, content_type: str) -> tuple[bool, Any]:
    """(declared, schema) for the media type that matches `content_type`."""
    if not content:
        return False, None
    wanted = content_type.split(";")[0].strip().lower()
    for media, entry in content.items():
        if media.split(";")[0].strip().lower() == wanted:
            return True, entry.get("schema")
    return True, None


@functools.cache
def _request_schema(operation: Operation, content_type: str) -> tuple[bool, bool, Any]:
    """(takes a body, body required, schema)."""
    body = operation.spec.get("requestBody")
    if not body:
        schema = _apply_quirks(operation, "request", None)
        return schema is not None, False, schema
    _declared, schema = _media_schema(body.get("content"), content_type)
    spec = load_spec(operation.api)
    schema = _apply_quirks(operation, "request", _resolve(schema, spec) if schema else None)
    return True, bool(body.get("required")), schema


def _response_entry(operation: Operation, status: int) -> dict | None:
    responses = operation.spec.get("responses", {})
    for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
        if key in responses:
            return responses[key]
    return None


@functools.cache
def _response_schema(operation: Operation, status: int, content_type: str) -> tuple[str, Any]:
    """("schema"|"no-body"|"undeclared", schema) for one status and media type."""
    entry = _response_entry(operation, status)
    part = f"response:{status}"
    if entry is None:
        return "undeclared", None
    declared, schema = _media_schema(entry.get("content"), content_type)
    if declared and schema is None and entry.get("content"):
        wanted = content_type.split(";")[0]
        raise ContractError(f"{operation} {status}: {wanted} is not a documented media type")
    resolved = _resolve(schema, load_spec(operation.api)) if schema else None
    resolved = _apply_quirks(operation, part, resolved if declared else NO_BODY)
    if resolved is NO_BODY or resolved is None:
        return "no-body", None
    return "schema", resolved


_VALIDATORS: dict[tuple[int, type], tuple[Any, Any]] = {}


def _validator(schema: Any, validator_class):
    # Schemas are cached objects, so their id is stable; the entry keeps the schema alive.
    key = (id(schema), validator_class)
    if key not in _VALIDATORS:
        _VALIDATORS[key] = (schema, validator_class(schema))
    return _VALIDATORS[key][1]


def _check(schema: Any, body: Any, validator_class, where: str) -> None:
    validator = _validator(schema, validator_class)
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))
    if errors:
        lines = [
            f"  at /{'/'.join(str(p) for p in error.absolute_path)}: {error.message[:300]}"
            for error in errors[:8]
        ]
        more = f"\n  ... and {len(errors) - 8} more" if len(errors) > 8 else ""
        raise ContractError(f"{where} does not match the spec:\n" + "\n".join(lines) + more)


def _is_empty(body: Any) -> bool:
    return body is None or body == "" or body == b""


def validate_request(
    method: str,
    url_path: str,
    body: Any,
    *,
    api: str | None = None,
    content_type: str = "application/json",
) -> Operation:
    """Check a request body (parsed JSON, or None when there is none) against the spec."""
    operation = find_operation(method, url_path, api=api)
    takes_body, required, schema = _request_schema(operation, content_type)
    if _is_empty(body):
        if required:
            raise ContractError(f"{operation} requires a request body")
        return operation
    if not takes_body:
        raise ContractError(f"{operation} takes no request body, got {body!r:.200}")
    if schema is not None:
        _check(schema, body, OAS30WriteValidator, f"Request to {operation}")
    return operation


def validate_response(
    method: str,
    url_path: str,
    status: int,
    body: Any,
    *,
    content_type: str = "application/json",
    api: str | None = None,
) -> Operation:
    """Check a response (parsed JSON, text, or None when empty) against the spec."""
    operation = find_operation(method, url_path, api=api)
    media = content_type.split(";")[0].strip().lower() if content_type else ""
    kind, schema = _response_schema(operation, status, media or "application/json")
    where = f"{status} response of {operation}"
    if kind == "schema":
        if _is_empty(body):
            raise ContractError(f"{where} should have a body")
        _check(schema, body, OAS30ReadValidator, where)
    elif kind == "no-body":
        if _is_empty(body):
            return operation
        if status < 400:
            raise ContractError(f"{where} should have no body, got {body!r:.200}")
        _check(ERROR_ENVELOPE, body, OAS30ReadValidator, where)
    else:
        if status < 400:
            raise ContractError(f"{where}: status {status} is not documented")
        if media != "application/json":
            raise ContractError(f"{where}: undocumented error answered as {media or 'nothing'}")
        _check(ERROR_ENVELOPE, body, OAS30ReadValidator, where)
    return operation


def _parse(raw: bytes | str | None, content_type: str) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    if "json" in (content_type or "").lower() or text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError as error:
            raise ContractError(f"Body is not valid JSON: {text[:200]!r}") from error
    return text


def validate_exchange(response, *, api: str | None = None) -> Operation:
    """Check both sides of a `requests.Response`: what was sent and what came back."""
    request = response.request
    path = urlsplit(request.url).path
    request_type = request.headers.get("Content-Type", "application/json")
    validate_request(
        request.method, path, _parse(request.body, request_type), api=api, content_type=request_type
    )
    content_type = response.headers.get("Content-Type", "")
    return validate_response(
        request.method,
        path,
        response.status_code,
        _parse(response.content, content_type),
        content_type=content_type or "application/json",
        api=api,
    )


@functools.cache
def _hook_notification_schema() -> dict:
    # The spec documents the notification under HookConfiguration's 200 (see spec_quirks).
    spec = load_spec("oms")
    entry = spec["paths"]["/api/orders/hook/config"]["post"]["responses"]["200"]
    return _resolve(entry["content"]["application/json"]["schema"], spec)


def validate_hook_notification(body: Any) -> None:
    """Check what VTEX POSTs to a hook URL."""
    _check(_hook_notification_schema(), body, OAS30ReadValidator, "Hook notification")
