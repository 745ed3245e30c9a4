"""The house rules, checked on the source: no import cycles, a Qt-free core, a server that never
imports the kiosk, and no module too long to read in one sitting.

Imports are read with ``ast`` from every module in ``kiosk/`` and ``sync/``, wherever they
are: at the top, inside functions and under ``TYPE_CHECKING`` (a cycle is a cycle, lazy or not).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kiosk", "sync")
MAX_LINES = 450
QT = "PySide6"

# Entry points start the Qt app, so they may import Qt (PySide6 or kiosk.ui), but only inside
# a function or for type checking: ``--check``, ``--print-config`` and ``set-pin`` must run
# where Qt cannot load. Anywhere else in the core, any Qt import at all is a violation.
LAZY_QT_ALLOWED = {
    "kiosk.__main__": "``python -m kiosk``: hands over to the command line",
    "kiosk.app": "the old entry point; outside suites import create_kiosk() from it",
    "kiosk.cli": "the command line; starts the Qt app when asked to run the kiosk",
    "kiosk.diagnostics": "``--check`` checks the fonts draw every language, which needs Qt",
}


@dataclass(frozen=True)
class Import:
    """One import in a module: what it names, on which line, and whether it runs when the
    module is imported (at module level and not under ``TYPE_CHECKING``)."""

    target: str
    line: int
    eager: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {
    _module_name(path): path
    for package in PACKAGES
    for path in sorted((ROOT / package).rglob("*.py"))
}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _eager_nodes(tree: ast.Module) -> set[int]:
    """The ids of the import nodes that run when the module is imported: not inside a
    function, nor under ``if TYPE_CHECKING``."""
    found: set[int] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.add(id(node))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def parse_imports(source: str, module: str, is_package: bool = False) -> list[Import]:
    """Every module *source* (the text of *module*) imports, as full dotted names.

    Relative imports are resolved. ``from a.b import c`` names ``a.b.c`` when that is a module
    of ours, else ``a.b``.
    """
    tree = ast.parse(source)
    eager = _eager_nodes(tree)
    package = module if is_package else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, node.lineno, id(node) in eager) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                target = candidate if candidate in MODULES else base
                found.append(Import(target, node.lineno, id(node) in eager))
    return found


def imports_of(module: str) -> list[Import]:
    path = MODULES[module]
    return parse_imports(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")


def _ours(target: str) -> str | None:
    """The module of ours that *target* names (``kiosk.store.LocalStore`` -> ``kiosk.store``)."""
    while target:
        if target in MODULES:
            return target
        target = target.rpartition(".")[0]
    return None


GRAPH: dict[str, set[str]] = {
    module: {
        ours
        for item in imports_of(module)
        if (ours := _ours(item.target)) is not None and ours != module
    }
    for module in MODULES
}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle path (first module repeated at the end) per strongly connected component."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)

    paths = []
    for component in components:
        start = min(component)
        # Shortest way back to start, staying inside the component.
        came_from: dict[str, str] = {}
        frontier = [start]
        while frontier and start not in came_from:
            following = []
            for node in frontier:
                for nxt in sorted(graph[node] & component):
                    if nxt not in came_from:
                        came_from[nxt] = node
                        following.append(nxt)
            frontier = following
        path = [start]
        node = came_from[start]
        while node != start:
            path.append(node)
            node = came_from[node]
        path.append(start)
        paths.append([path[0], *reversed(path[1:-1]), start])
    return paths


def _is_core(module: str) -> bool:
    return module.startswith("sync") or (
        module.startswith("kiosk") and not module.startswith("kiosk.ui")
    )


def _qt_imports(module: str) -> Iterator[Import]:
    for item in imports_of(module):
        if item.target.split(".")[0] == QT or (_ours(item.target) or "").startswith("kiosk.ui"):
            yield item


def _where(module: str, item: Import) -> str:
    return f"{MODULES[module].relative_to(ROOT)}:{item.line} imports {item.target}"


def test_the_walk_resolves_and_sorts_every_kind_of_import():
    # Guards the walker itself, so that the rules below cannot pass by seeing nothing.
    assert {"kiosk.store", "kiosk.ui.window", "sync.protocol", "sync.server"} <= MODULES.keys()
    source = (
        "import PySide6.QtCore\n"
        "from .. import store\n"
        "from ..store import LocalStore\n"
        "from .timers import Timer\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from kiosk.ui.window import KioskWindow\n"
        "else:\n"
        "    import json\n"
        "def later():\n"
        "    from sync import engine\n"
    )
    found = {(i.target, i.eager) for i in parse_imports(source, "kiosk.ui.sync_worker")}
    assert found == {
        ("PySide6.QtCore", True),
        ("kiosk.store", True),
        ("kiosk.ui.timers", True),
        ("typing", True),
        ("kiosk.ui.window", False),
        ("json", True),
        ("sync.engine", False),
    }
    assert {"kiosk.store", "sync.engine"} <= GRAPH["kiosk.ui.sync_worker"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_kiosk_or_sync():
    cycles = _cycles(GRAPH)
    assert not cycles, "import cycles (each module imports the next):\n" + "\n".join(
        " -> ".join(cycle) for cycle in cycles
    )


def test_the_core_imports_no_qt():
    violations = []
    for module in MODULES:
        if not _is_core(module):
            continue
        for item in _qt_imports(module):
            if module in LAZY_QT_ALLOWED and not item.eager:
                continue
            violations.append(_where(module, item))
    shown = list(dict.fromkeys(violations))  # ``from x import a, b`` is one line, not two
    assert not shown, "Qt imported by the Qt-free core:\n" + "\n".join(shown)


def test_sync_never_imports_kiosk():
    violations = [
        _where(module, item)
        for module in MODULES
        if module.startswith("sync")
        for item in imports_of(module)
        if item.target.split(".")[0] == "kiosk"
    ]
    assert not violations, "sync imports the kiosk:\n" + "\n".join(violations)


def test_no_module_is_over_450_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in MODULES.values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


@pytest.mark.parametrize(
    "module", ["kiosk.ui.launch", "kiosk.ui.window", "kiosk.ui.staff.dashboard"]
)
def test_the_kiosk_screens_load_no_http_client(module):
    # requests and pydantic take a quarter of a second to import on a tablet: they belong to
    # the sync thread, which loads them after the first frame, and never to a screen.
    probe = (
        f"import sys, {module}; "
        "print(sorted(m for m in ('requests', 'pydantic') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
