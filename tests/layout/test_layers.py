"""The house as it stands (README, "How the code is laid out"): each folder imports only the
floors below it, siblings do not import each other, and no module imports itself round a
circle. Read from the source, every import counted, also those inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What each top-level package may import of the project (besides itself).
MAY_IMPORT: dict[str, set[str]] = {
    "ecrs_hub": set(),
    "items": {"ecrs_hub"},
    "scales": {"ecrs_hub", "items"},
    "coupons": {"ecrs_hub", "items"},
    "cognition": {"ecrs_hub", "items", "scales", "coupons"},
    "labels": {"ecrs_hub", "items", "scales"},
    "demo": {"ecrs_hub", "items", "scales", "coupons", "cognition", "labels"},
    "config": {"ecrs_hub", "items", "scales", "coupons", "cognition", "labels"},
}
PACKAGES = set(MAY_IMPORT)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> list[tuple[int, str]]:
    """(line, module) for every project module ``name`` imports; ``from x import y`` counts
    as importing ``x.y`` when that is a module, else ``x``."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            targets = [
                f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module for alias in node.names
            ]
        else:
            continue
        for target in targets:
            if target.split(".")[0] in PACKAGES:
                found.append((node.lineno, target))
    return found


MODULES = project_modules()
GRAPH = {name: imports_of(name, path, MODULES) for name, path in MODULES.items()}


def test_every_package_imports_only_the_floors_below_it():
    wrong = [
        f"{MODULES[name].relative_to(ROOT)}:{line} imports {target}"
        for name, targets in GRAPH.items()
        for line, target in targets
        if (top := name.split(".")[0]) != (other := target.split(".")[0]) and other not in MAY_IMPORT[top]
    ]
    assert wrong == []


def circles_in(edges: dict[str, set[str]]) -> list[str]:
    circles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                circles.append(" → ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for name in sorted(edges):
        if name not in state:
            visit(name, [])
    return circles


def test_no_module_imports_itself_round_a_circle():
    """Modules that import each other, however far round (a package's ``__init__`` importing
    its own submodules is how a package re-exports, and does not count)."""
    edges = {
        name: {
            target
            for _line, target in targets
            if target in MODULES
            and target != name
            and not (MODULES[name].name == "__init__.py" and target.startswith(name + "."))
        }
        for name, targets in GRAPH.items()
    }
    assert circles_in(edges) == []


def test_the_circle_check_finds_the_circle_the_old_demo_had():
    edges = {"coupons.demo": {"items.seed_demo"}, "items.seed_demo": {"items.demo", "coupons.demo"}}
    assert circles_in(edges) == ["coupons.demo → items.seed_demo → coupons.demo"]


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [("items.services", "coupons"), ("scales.services.ingest", "coupons"), ("ecrs_hub.services.pushes", "items")],
)
def test_the_check_sees_an_upward_import(module, forbidden, tmp_path):
    """The check itself can fail: an upward import written into a copy of a module is found."""
    path = MODULES[module]
    copy = tmp_path / path.name
    copy.write_text(path.read_text() + f"\nimport {forbidden}.models\n")
    targets = imports_of(module, copy, MODULES)
    assert any(target.split(".")[0] == forbidden for _line, target in targets)
    assert forbidden not in MAY_IMPORT[module.split(".")[0]]
