"""Imports point one way: gui -> the rest -> engine (read from the source with ``ast``, not by importing)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from desktop_app.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "desktop_app"

# The `gui` command opens the window: the one door into the gui room, imported only when it runs.
GUI_LAUNCHERS = {"desktop_app.cli.gui_cmd"}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module ``source`` (the text of ``module``) imports, relative imports resolved.

    ``from X import a`` counts both ``X`` and ``X.a``: ``a`` may be a submodule.
    """
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
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


def package_imports() -> dict[str, set[str]]:
    """Module name -> what it imports, for every file of the package."""
    return {module_name(path): imported_modules(path.read_text(encoding="utf-8"), module_name(path),
                                                path.name == "__init__.py")
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


def test_the_engine_imports_nothing_else_of_the_app():
    def elsewhere(target: str) -> bool:
        return inside(target, "desktop_app") and not inside(target, "desktop_app.engine")

    assert leaks(package_imports(), lambda module: inside(module, "desktop_app.engine"), elsewhere) == []


def test_only_the_app_imports_the_main_window():
    """The window's parts get named collaborators and ``WindowParts``, never the window."""
    importers = {module for module, targets in package_imports().items()
                 if "desktop_app.gui.main_window" in targets}
    assert importers == {"desktop_app.gui.app"}
