"""No module of the back office imports one that imports it back, nor one on a higher floor
(imports inside functions and under TYPE_CHECKING count too): the layers stay layers."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The floors, from the ground up (README, Architecture): a module imports its own floor's and
# those below, never one above; tasks above are dispatched by name (core.tasks).
FLOORS = {
    "vtex": 0,
    "sandbox": 0,
    "core": 1,
    "outbox": 2,
    "imports": 2,
    "orders": 3,
    "catalog": 3,
    "backoffice": 4,
}
PACKAGES = tuple(FLOORS)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    def resolve(target: str) -> str | None:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            resolved = resolve(target)
            # A package's own submodules, and a module's own package, are not loops.
            inside = resolved and (
                resolved.startswith(name + ".") or name.startswith(resolved + ".")
            )
            if resolved and resolved != name and not inside:
                found.add(resolved)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_one_that_imports_it_back():
    modules = project_modules()
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    assert "orders.services.sync" in graph and "outbox.delivery" in graph
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """``importer -> imported`` for each import of a module on a higher floor."""
    floor = {name: FLOORS[name.partition(".")[0]] for name in graph}
    return sorted(
        f"{name} -> {target}"
        for name, targets in graph.items()
        for target in targets
        if floor[target] > floor[name]
    )


def test_no_module_imports_one_on_a_higher_floor():
    modules = project_modules()
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    assert "core.money" in graph and "backoffice.celery" in graph
    assert upward_imports(graph) == []


def test_the_floor_check_finds_an_upward_import():
    graph = {"core.money": {"orders.models"}, "orders.models": {"core.money"}, "outbox.x": set()}
    assert upward_imports(graph) == ["core.money -> orders.models"]
