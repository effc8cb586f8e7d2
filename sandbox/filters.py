"""The `filter` block shared by the feed v3 and hook configurations.

`FromWorkflow` fires on status changes whose new status is in the list (an
empty or missing list means every status; VTEX does not validate the strings).
`FromOrders` fires on any change to an order whose document satisfies a JSONata
expression. The sandbox evaluates a small JSONata subset, enough for the filters
VTEX's guides show: dotted paths, string/number/boolean/null literals, arrays,
`= != < <= > >= in`, `and`, `or`, parentheses, `$count(path)` and `$exists(path)`.
A path that crosses arrays yields every match, and a comparison holds when any
match satisfies it. Anything else is refused with 400 when the config is saved.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import ApiError, bad_request

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d+(?:\.\d+)?)
      | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op><=|>=|!=|=|<|>|\(|\)|\[|\]|,)
      | (?P<func>\$count|\$exists)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    )""",
    re.VERBOSE,
)
_MISSING = object()


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        kind = match.lastgroup if match else None
        if not match or kind is None or match.end() == position:
            raise bad_request(f"Unsupported expression near {text[position : position + 20]!r}")
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _resolve(document: Any, path: str) -> list:
    values = [document]
    for part in path.split("."):
        found = []
        for value in values:
            candidates = value if isinstance(value, list) else [value]
            for candidate in candidates:
                if isinstance(candidate, dict) and part in candidate:
                    item = candidate[part]
                    found.extend(item if isinstance(item, list) else [item])
        values = found
    return values


class _Parser:
    """Recursive descent over the tokens, producing a closure `document -> value`."""

    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.index = 0

    def parse(self):
        node = self._or()
        if self.index != len(self.tokens):
            raise bad_request(f"Unexpected {self.tokens[self.index][1]!r} in expression")
        return node

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self, value: str | None = None) -> tuple[str, str]:
        token = self._peek()
        if token is None or (value is not None and token[1] != value):
            raise bad_request(f"Expected {value or 'a term'} in expression")
        self.index += 1
        return token

    def _or(self):
        left = self._and()
        while self._peek() == ("name", "or"):
            self._take()
            right = self._and()
            left = (lambda a, b: lambda d: _truthy(a(d)) or _truthy(b(d)))(left, right)
        return left

    def _and(self):
        left = self._comparison()
        while self._peek() == ("name", "and"):
            self._take()
            right = self._comparison()
            left = (lambda a, b: lambda d: _truthy(a(d)) and _truthy(b(d)))(left, right)
        return left

    def _comparison(self):
        left = self._term()
        token = self._peek()
        if token and ((token[0] == "op" and token[1] in _COMPARE) or token == ("name", "in")):
            self._take()
            right = self._term()
            compare = _COMPARE[token[1]]
            return lambda d: _any_compare(compare, left(d), right(d))
        return left

    def _term(self):
        kind, value = self._take()
        if kind == "number":
            number = float(value) if "." in value else int(value)
            return lambda d: number
        if kind == "string":
            text = re.sub(r"\\(.)", r"\1", value[1:-1])
            return lambda d: text
        if kind == "func":
            self._take("(")
            path_kind, path = self._take()
            if path_kind != "name":
                raise bad_request(f"{value} takes a field path")
            self._take(")")
            if value == "$count":
                return lambda d: len(_resolve(d, path))
            return lambda d: bool(_resolve(d, path))
        if kind == "op" and value == "(":
            node = self._or()
            self._take(")")
            return node
        if kind == "op" and value == "[":
            elements = []
            while self._peek() != ("op", "]"):
                elements.append(self._term())
                if self._peek() == ("op", ","):
                    self._take()
            self._take("]")
            return lambda d: [element(d) for element in elements]
        if kind == "name":
            if value in _CONSTANTS:
                constant = _CONSTANTS[value]
                return lambda d: constant
            return lambda d: _resolve(d, value)
        raise bad_request(f"Unexpected {value!r} in expression")


_CONSTANTS = {"true": True, "false": False, "null": None}


def _values(value) -> list:
    return value if isinstance(value, list) else [value]


def _in(left, right) -> bool:
    return left in _values(right)


def _safe(operator):
    def compare(left, right) -> bool:
        try:
            return operator(left, right)
        except TypeError:
            return False

    return compare


_COMPARE = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": _safe(lambda a, b: a < b),
    "<=": _safe(lambda a, b: a <= b),
    ">": _safe(lambda a, b: a > b),
    ">=": _safe(lambda a, b: a >= b),
    "in": _in,
}


def _any_compare(compare, left, right) -> bool:
    if compare is _in:
        return any(_in(value, right) for value in _values(left))
    return any(compare(a, b) for a in _values(left) for b in _values(right))


def _truthy(value) -> bool:
    if isinstance(value, list):
        return any(_truthy(v) for v in value)
    return bool(value)


class EventFilter:
    """A validated `filter` block; raises ApiError (409 on mixed kinds, 400 otherwise)."""

    def __init__(self, raw: dict | None):
        raw = dict(raw or {"type": "FromWorkflow"})
        kind = raw.get("type", "FromWorkflow")
        has_status = "status" in raw
        has_orders_fields = "expression" in raw or "disableSingleFire" in raw
        if has_status and has_orders_fields:
            raise ApiError(
                409,
                "SBX-FILTER-CONFLICT",
                "Use either a status list (FromWorkflow) or an expression (FromOrders)",
            )
        if kind == "FromWorkflow":
            if has_orders_fields:
                raise ApiError(
                    409,
                    "SBX-FILTER-CONFLICT",
                    "FromWorkflow filters take a status list, not an expression",
                )
            statuses = raw.get("status") or []
            if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
                raise bad_request("filter.status must be a list of status strings")
            self.statuses = frozenset(statuses)
            self.expression = None
            self._predicate = None
        elif kind == "FromOrders":
            if has_status:
                raise ApiError(
                    409,
                    "SBX-FILTER-CONFLICT",
                    "FromOrders filters take an expression, not a status list",
                )
            expression = raw.get("expression")
            if not isinstance(expression, str) or not expression.strip():
                raise bad_request("FromOrders filters need a JSONata expression")
            self.statuses = frozenset()
            self.expression = expression
            self._predicate = _Parser(expression).parse()
        else:
            raise bad_request("filter.type must be FromWorkflow or FromOrders")
        self.type = kind
        self.disable_single_fire = bool(raw.get("disableSingleFire", False))
        self.raw = raw
        # Orders that already entered through a single-fire FromOrders filter.
        self.fired: set[str] = set()

    def on_status_change(self, status: str) -> bool:
        return self.type == "FromWorkflow" and (not self.statuses or status in self.statuses)

    def on_document_change(self, order_id: str, document: dict) -> bool:
        if self.type != "FromOrders":
            return False
        if self._predicate is None or not _truthy(self._predicate(document)):
            return False
        if self.disable_single_fire:
            return True
        if order_id in self.fired:
            return False
        self.fired.add(order_id)
        return True
