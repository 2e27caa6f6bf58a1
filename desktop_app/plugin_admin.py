"""Changing which plugins are installed and enabled: what ``backprop-studio plugins`` and the GUI do.

Nothing here imports a plugin: names are resolved from entry-point metadata and file names only,
so a plugin that crashes on import can still be disabled or uninstalled. Distributions go through
pip run by the current interpreter; a single ``.py`` file is copied into the user plugin folder.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .fileio import atomic_write
from .plugin_discovery import Candidate, discover, entry_point_candidates, folder_candidates, normalize
from .settings import load_settings, plugin_dir, save_settings

BUILTIN_PREFIX = "builtin."


class PluginAdminError(ValueError):
    """A request about plugins that cannot be honoured; the message says why and what exists."""


def install(spec: str, pip_options: Sequence[str] = (), replace: bool = False) -> list[Candidate]:
    """Install a plugin; returns the plugins that appeared (a drop-in file, or new entry points).

    ``spec`` is a ``.py`` file (copied into the plugin folder; ``replace`` overwrites an existing
    one), or anything pip installs: a PyPI name, a wheel, an sdist or a project folder.
    ``pip_options`` are passed to ``pip install``.
    """
    path = Path(spec)
    if path.suffix == ".py":
        return [install_drop_in(path, replace=replace)]
    before = {(c.name, c.location) for c in entry_point_candidates()}
    target = str(path.resolve()) if path.exists() else spec
    run_pip(["install", *pip_options, target], f"install {spec}")
    return [c for c in entry_point_candidates() if (c.name, c.location) not in before]


def install_drop_in(path: Path, replace: bool = False) -> Candidate:
    """Copy a ``.py`` plugin into the plugin folder after checking it parses (it is not run)."""
    if not path.is_file():
        raise PluginAdminError(f"plugin file {path} does not exist")
    source = path.read_bytes()
    try:
        compile(source, str(path), "exec")
    except SyntaxError as error:
        raise PluginAdminError(f"{path}: line {error.lineno}: not valid Python ({error.msg})") from None
    folder = plugin_dir()
    target = folder / path.name
    if target.exists() and not replace:
        raise PluginAdminError(f"{target} already exists; pass --upgrade to replace it")
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda handle: handle.write(source))
    return Candidate(name=target.stem, source="folder", location=str(target))


def uninstall(name: str) -> list[str]:
    """Remove a drop-in file or pip-uninstall the distribution exposing plugin ``name``.

    Returns what was removed (file paths and distribution names).
    """
    _refuse_builtin(name, "uninstalled")
    files = [c for c in folder_candidates(plugin_dir()) if c.matches(name) or Path(c.location).name == name]
    distributions = sorted({c.distribution for c in entry_point_candidates()
                            if c.matches(name) and c.distribution})
    if not files and not distributions:
        raise PluginAdminError(f"no installed plugin named '{name}'. Installed: {_installed_names()}")
    for candidate in files:
        Path(candidate.location).unlink()
    if distributions:
        run_pip(["uninstall", "--yes", *distributions], f"uninstall {', '.join(distributions)}")
    return [c.location for c in files] + distributions


def set_enabled(name: str, enabled: bool) -> list[str]:
    """Enable or disable plugin ``name`` (or every plugin of distribution ``name``) in the settings.

    Returns the plugin names whose setting changed (empty when nothing had to change).
    """
    settings = load_settings()
    disabled = settings.disabled_plugins
    if enabled:
        changed = [entry for entry in disabled if normalize(entry) == normalize(name)]
        changed += [c.name for c in discover(plugin_dir()) if c.matches(name) and c.name in disabled]
        changed = sorted(set(changed))
        settings.set_disabled_plugins(entry for entry in disabled if entry not in changed)
    else:
        _refuse_builtin(name, "disabled")
        matching = [c.name for c in discover(plugin_dir()) if c.matches(name)]
        if not matching:
            raise PluginAdminError(
                f"no installed plugin named '{name}'. Installed: {_installed_names()} "
                "(built-in plugins cannot be disabled)"
            )
        changed = sorted(set(matching) - set(disabled))
        settings.set_disabled_plugins([*disabled, *changed])
    if changed:
        save_settings(settings)
    return changed


def run_pip(arguments: Sequence[str], what: str) -> None:
    """Run pip with the interpreter running this app, so the plugin lands where the app looks."""
    code = subprocess.call([sys.executable, "-m", "pip", *arguments])
    if code != 0:
        raise PluginAdminError(f"pip could not {what} (exit code {code}); see pip's messages above")


def _refuse_builtin(name: str, action: str) -> None:
    if name.startswith(BUILTIN_PREFIX) or normalize(name) == "backprop-studio":
        raise PluginAdminError(f"'{name}' is built in and cannot be {action}")


def _installed_names() -> str:
    names = [c.name for c in discover(plugin_dir())]
    return ", ".join(names) if names else "none"
