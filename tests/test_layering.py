"""Imports point one way: gui -> the rest -> engine, and go round in no circle (read from the source
with ``ast``, not by importing)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from desktop_app.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "desktop_app"

# The `gui` command opens the window: the one door into the gui room, imported only when it runs.
GUI_LAUNCHERS = {"desktop_app.cli.gui_cmd"}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_level(tree: ast.Module) -> list[ast.AST]:
    """The nodes that run when the module is imported: not those inside functions."""
    found: list[ast.AST] = []
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    return found


def imported_modules(source: str, module: str, is_package: bool = False, at_import: bool = False) -> set[str]:
    """Every module ``source`` (the text of ``module``) imports, relative imports resolved; with
    ``at_import``, only those it imports when it is itself imported (not inside a function).

    ``from X import a`` counts both ``X`` and ``X.a``: ``a`` may be a submodule.
    """
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(source)
    for node in module_level(tree) if at_import else ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def package_imports(at_import: bool = False) -> dict[str, set[str]]:
    """Module name -> what it imports, for every file of the package (see ``imported_modules``)."""
    return {module_name(path): imported_modules(path.read_text(encoding="utf-8"), module_name(path),
                                                path.name == "__init__.py", at_import)
            for path in sorted(PACKAGE.rglob("*.py"))}


def inside(name: str, room: str) -> bool:
    return name == room or name.startswith(room + ".")


def leaks(imports: dict[str, set[str]], importer: Callable[[str], bool],
          imported: Callable[[str], bool]) -> list[str]:
    """``module -> target`` for each import by a module ``importer`` accepts of one ``imported`` accepts."""
    return sorted(f"{module} -> {target}" for module, targets in imports.items() if importer(module)
                  for target in targets if imported(target))


def test_relative_imports_resolve_to_the_module_they_name():
    """The negative control: the import the window once had is found, written relatively."""
    source = "from ...cli.train_cmd import summary\nfrom ... import cli\nfrom .bridge import Progress\n"
    found = imported_modules(source, "desktop_app.gui.training.ui")
    assert {"desktop_app.cli.train_cmd", "desktop_app.cli", "desktop_app.gui.training.bridge"} <= found
    in_init = imported_modules("from .ui import TrainingUI\n", "desktop_app.gui.training", is_package=True)
    assert "desktop_app.gui.training.ui" in in_init


def test_the_package_is_read_whole():
    assert {"desktop_app.gui.main_window", "desktop_app.gui.training.worker", "desktop_app.project.run",
            "desktop_app.engine.layers.dense"} <= set(package_imports())


def test_nothing_outside_the_gui_imports_it():
    def outside(module: str) -> bool:
        return not inside(module, "desktop_app.gui") and module not in GUI_LAUNCHERS

    assert leaks(package_imports(), outside, lambda target: inside(target, "desktop_app.gui")) == []


def test_the_gui_imports_nothing_from_the_cli():
    assert leaks(package_imports(), lambda module: inside(module, "desktop_app.gui"),
                 lambda target: inside(target, "desktop_app.cli")) == []


def test_the_engine_imports_nothing_else_of_the_app_and_no_qt():
    def elsewhere(target: str) -> bool:
        qt = any(inside(target, name) for name in ("PySide6", "shiboken6", "pyqtgraph"))
        return qt or inside(target, "desktop_app") and not inside(target, "desktop_app.engine")

    assert leaks(package_imports(), lambda module: inside(module, "desktop_app.engine"), elsewhere) == []


def test_every_gui_module_imports():
    """Every module of the gui imports, in a fresh interpreter without a display (the rules above
    read their source; this runs it)."""
    modules = sorted(module for module in package_imports() if inside(module, "desktop_app.gui"))
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    done = subprocess.run([sys.executable, "-c", code, *modules], capture_output=True, text=True,
                          cwd=REPO_ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120)
    assert done.returncode == 0, done.stderr


def test_only_the_app_imports_the_main_window():
    """The window's parts get named collaborators and ``WindowParts``, never the window."""
    importers = {module for module, targets in package_imports().items()
                 if "desktop_app.gui.main_window" in targets}
    assert importers == {"desktop_app.gui.app"}


def runtime_edges(imports: dict[str, set[str]]) -> dict[str, set[str]]:
    """Module -> the package modules Python runs when it imports what it imports.

    Importing ``a.b.c`` first runs the packages ``a`` and ``a.b``: a package ``__init__`` that
    imports its children joins a cycle through them. A module's own packages are left out: they
    are already being imported when it runs. Names that are not modules (``from a import name``)
    are dropped.
    """
    modules = set(imports)
    edges: dict[str, set[str]] = {}
    for module, targets in imports.items():
        own = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        found = set()
        for target in targets & modules:
            parts = target.split(".")
            found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        edges[module] = (found & modules) - own - {module}
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle (``[a, b, ..., a]``), or [] when the graph has none (depth-first search)."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = "open"
        stack.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                return [*stack[stack.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[module] = "done"
        return []

    for module in sorted(edges):
        if module not in state and (cycle := visit(module)):
            return cycle
    return []


def test_a_cycle_is_found_through_a_package_that_imports_its_children():
    """The negative control: the circle the training package once closed at run time."""
    imports = {
        "app.gui.unsaved_work": {"app.gui.training.controller"},
        "app.gui.training": {"app.gui.training.ui"},
        "app.gui.training.ui": {"app.gui.unsaved_work", "app.gui.training.controller"},
        "app.gui.training.controller": set(),
    }
    assert find_cycle(runtime_edges(imports)) == [
        "app.gui.training", "app.gui.training.ui", "app.gui.unsaved_work", "app.gui.training"]
    imports["app.gui.training"] = set()
    assert find_cycle(runtime_edges(imports)) == []


def test_an_import_inside_a_function_is_not_made_at_import():
    source = "import json\nif True:\n    from . import b\ndef later():\n    from . import c\n"
    assert imported_modules(source, "app.a", at_import=True) == {"json", "app", "app.b"}
    assert "app.c" in imported_modules(source, "app.a")


def test_the_import_graph_has_no_cycle():
    """Imports made at import time, type-checking ones included (a circle there is a circle of
    knowledge); a deliberately late import inside a function (the launcher's) is not one."""
    assert find_cycle(runtime_edges(package_imports(at_import=True))) == []
