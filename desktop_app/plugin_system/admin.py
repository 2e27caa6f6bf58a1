"""Changing which plugins are installed and enabled: what ``backprop-studio plugins`` and the GUI do.

Nothing here imports a plugin: names are resolved from entry-point metadata and file names only,
so a plugin that crashes on import can still be disabled or uninstalled. Distributions go through
pip run by the current interpreter; a single ``.py`` file is copied into the user plugin folder.
Every plugin answers to one name, so install refuses a name that is taken, and uninstall removes
exactly one thing (a drop-in file or a distribution) or says which ones the name could mean.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path

from ..fileio import atomic_write
from ..settings import Settings, load_settings, plugin_dir, save_settings
from .discovery import (
    ENTRY_POINT_GROUP,
    Candidate,
    Source,
    discover,
    entry_point_candidates,
    normalize,
)
from .pip_constraints import RESOLUTION_FAILED, app_pins, pinned_conflict, write_constraints

BUILTIN_PREFIX = "builtin."
# The ``--source`` choices of ``plugins uninstall``, and the discovery source each one means.
SOURCE_CHOICES: dict[str, Source] = {"folder": "folder", "entry-point": "entry point"}
# Never uninstalled through ``plugins uninstall``: it is what installs plugins.
PIP = "pip"


class PluginAdminError(ValueError):
    """A request about plugins that cannot be honoured; the message says why and what exists."""


def install(spec: str, pip_options: Sequence[str] = (), replace: bool = False) -> list[Candidate]:
    """Install a plugin; returns the plugins it brought (a drop-in file, or entry points).

    ``spec`` is a ``.py`` file (copied into the plugin folder; ``replace`` overwrites an existing
    one), or anything pip installs: a PyPI name, a wheel, an sdist or a project folder.
    ``pip_options`` are passed to ``pip install``. pip may not change Backprop Studio or the
    packages it runs on (``desktop_app.plugin_system.pip_constraints``). Raises PluginAdminError when pip
    refuses or fails, when what it installed is not a plugin, or when a plugin it brought takes
    the name of one installed before.
    """
    path = Path(spec)
    if path.suffix == ".py":
        return [install_drop_in(path, replace=replace)]
    before = discover(plugin_dir())
    target = str(path.resolve()) if path.exists() else spec
    with tempfile.TemporaryDirectory(prefix="backprop-studio-pip-") as folder:
        report = Path(folder) / "report.json"
        pins = app_pins()
        constraints = write_constraints(Path(folder) / "constraints.txt", pins)
        run_pip(["install", "--report", str(report), "--constraint", str(constraints), *pip_options, target],
                f"install {spec}", pins)
        requested = _requested_distributions(report)
    known = {(c.name, c.location) for c in before}
    wanted = {normalize(name) for name, _ in requested}
    brought = [c for c in entry_point_candidates()
               if (c.name, c.location) not in known or normalize(c.distribution or "") in wanted]
    if requested and not brought:
        installed = ", ".join(f"{name} {version}" for name, version in requested)
        removal = requested[0][0] if len(requested) == 1 else "DISTRIBUTION"
        raise PluginAdminError(
            f"{spec}: pip installed {installed}, which exposes no '{ENTRY_POINT_GROUP}' entry point, "
            f"so it is not a Backprop Studio plugin; remove it with: "
            f"backprop-studio plugins uninstall {removal}"
        )
    for candidate in brought:
        clashes = [other for other in before if _same_name(candidate, other)
                   and not (other.distribution and other.distribution == candidate.distribution)]
        if clashes:
            raise PluginAdminError(
                f"{spec}: pip installed {describe(candidate)}, but its name is already taken by "
                f"{describe(clashes[0])}, so only one of them loads; remove one with: "
                f"backprop-studio plugins uninstall {_handle(candidate)} (or {_handle(clashes[0])})"
            )
    return brought


def install_drop_in(path: Path, replace: bool = False) -> Candidate:
    """Copy a ``.py`` plugin into the plugin folder after checking it parses (it is not run).

    Its file name is its plugin name, so a name another plugin answers to is refused.
    """
    if not path.is_file():
        raise PluginAdminError(f"plugin file {path} does not exist")
    source = path.read_bytes()
    try:
        compile(source, str(path), "exec")
    except SyntaxError as error:
        raise PluginAdminError(f"{path}: line {error.lineno}: not valid Python ({error.msg})") from None
    folder = plugin_dir()
    target = folder / path.name
    installed = Candidate(name=target.stem, source="folder", location=str(target))
    if _is_builtin_name(installed.name):
        raise PluginAdminError(f"{path}: the plugin name '{installed.name}' is reserved for the built-in "
                               "plugins; rename the file")
    clashes = [other for other in discover(folder)
               if other.location != str(target) and _same_name(installed, other)]
    if clashes:
        raise PluginAdminError(
            f"{path}: the plugin name '{installed.name}' is already taken by {describe(clashes[0])}; "
            "rename the file, or uninstall that plugin first"
        )
    if target.exists() and not replace:
        raise PluginAdminError(f"{target} already exists; pass --upgrade to replace it")
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda handle: handle.write(source))
    return installed


def uninstall(name: str, source: str | None = None) -> list[str]:
    """Remove one thing: the drop-in file or the distribution that ``name`` designates.

    ``name`` is a plugin name, a drop-in file name or a distribution name (one exposing no plugin
    too, so a non-plugin installed by mistake can be removed). ``source`` (a SOURCE_CHOICES key)
    narrows the search. A name meaning more than one thing is refused with what it could mean.
    The removed plugins' "disabled" settings are forgotten. Returns what was removed.
    """
    _refuse_builtin(name, "uninstalled")
    wanted = _source(source)
    installed = discover(plugin_dir())
    targets = _removal_targets(name, [c for c in installed if wanted in (None, c.source)])
    if not targets:
        if wanted == "folder":
            raise _not_installed(name, f" (--source folder: only drop-ins in {plugin_dir()})")
        return [_uninstall_distribution_without_plugins(name)]
    if len(targets) > 1:
        raise PluginAdminError(_ambiguity(name, targets))
    settings = load_settings()  # read before removing: a malformed file stops here, not halfway
    [(removal, removed)] = targets.items()
    if removed[0].source == "folder":
        Path(removed[0].location).unlink()
    else:
        run_pip(["uninstall", "--yes", removal], f"uninstall {removal}")
    _forget_disabled(settings, removed, [c for c in installed if c not in removed])
    return [removal]


def set_enabled(name: str, enabled: bool) -> list[str]:
    """Enable or disable plugin ``name`` (or every plugin of distribution ``name``) in the settings.

    Returns the plugin names whose setting changed (empty when nothing had to change). A name
    that is neither installed nor in the disabled list is refused, as ``disable`` refuses it.
    """
    settings = load_settings()
    disabled = settings.disabled_plugins
    if enabled:
        installed = [c for c in discover(plugin_dir()) if c.matches(name)]
        changed = [entry for entry in disabled if normalize(entry) == normalize(name)]
        changed += [c.name for c in installed if c.name in disabled]
        changed = sorted(set(changed))
        if not changed and not installed and not _is_builtin_name(name):
            raise _not_installed(name)
        settings.set_disabled_plugins(entry for entry in disabled if entry not in changed)
    else:
        _refuse_builtin(name, "disabled")
        matching = [c.name for c in discover(plugin_dir()) if c.matches(name)]
        if not matching:
            raise _not_installed(name, " (built-in plugins cannot be disabled)")
        changed = sorted(set(matching) - set(disabled))
        settings.set_disabled_plugins([*disabled, *changed])
    if changed:
        save_settings(settings)
    return changed


def disabled_among(plugins: Iterable[Candidate]) -> list[str]:
    """The names of ``plugins`` the settings keep disabled (so an install can say it is off)."""
    try:
        disabled = load_settings().disabled_plugins
    except ValueError:  # the plugin manager reports a malformed settings file when it loads
        return []
    return [c.name for c in plugins if any(c.matches(entry) for entry in disabled)]


def describe(candidate: Candidate) -> str:
    """How messages name an installed plugin: its source and where it comes from."""
    if candidate.source == "folder":
        return f"drop-in plugin '{candidate.name}' ({candidate.location})"
    origin = " ".join(part for part in (candidate.distribution, candidate.version) if part)
    return f"entry point plugin '{candidate.name}'" + (f" (distribution {origin})" if origin else "")


def run_pip(arguments: Sequence[str], what: str, pins: Mapping[str, str] | None = None) -> None:
    """Run pip with the interpreter running this app, so the plugin lands where the app looks.

    pip's output (stderr merged) is passed on to stdout as it comes, except its report of an
    install it cannot resolve: when that names a requirement excluding one of ``pins``, the error
    says so in one line instead.
    """
    command = [sys.executable, "-m", "pip", *arguments]
    held: list[str] = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          encoding="utf-8", errors="replace") as process:
        assert process.stdout is not None
        for line in process.stdout:
            if held or (pins is not None and line.startswith(RESOLUTION_FAILED)):
                held.append(line)
            else:
                sys.stdout.write(line)
                sys.stdout.flush()
    conflict = pinned_conflict(held, pins) if pins is not None and process.returncode != 0 else None
    if conflict is not None:
        raise PluginAdminError(f"pip could not {what}: {conflict}, which a plugin may not change; "
                               "nothing was installed")
    sys.stdout.writelines(held)
    if process.returncode != 0:
        raise PluginAdminError(f"pip could not {what} (exit code {process.returncode}); see pip's "
                               "messages above")


def _same_name(one: Candidate, other: Candidate) -> bool:
    """True when a name typed for one of them could mean the other (plugin or distribution name)."""
    return one.matches(other.name) or other.matches(one.name)


def _removal_targets(name: str, installed: Iterable[Candidate]) -> dict[str, list[Candidate]]:
    """What removing ``name`` could mean: a drop-in file or a distribution -> the plugins it removes."""
    targets: dict[str, list[Candidate]] = {}
    chosen = {c.distribution for c in installed
              if c.source == "entry point" and c.distribution and c.matches(name)}
    for candidate in installed:
        named = candidate.matches(name) or Path(candidate.location).name == name
        if candidate.source == "folder" and named:
            targets[candidate.location] = [candidate]
        elif candidate.source == "entry point" and candidate.distribution in chosen:
            targets.setdefault(candidate.distribution, []).append(candidate)
    return targets


def _ambiguity(name: str, targets: dict[str, list[Candidate]]) -> str:
    meanings = "; ".join(describe(plugins[0]) for plugins in targets.values())
    names = ", ".join(f"'{_handle(plugins[0])}'" for plugins in targets.values())
    return (f"'{name}' names {len(targets)} installed plugins: {meanings}. Uninstall removes one: "
            f"name it ({names}), or add --source folder or --source entry-point")


def _uninstall_distribution_without_plugins(name: str) -> str:
    """pip-uninstall a distribution exposing no plugin (installed by mistake), unless one needs it."""
    try:
        distribution = metadata.distribution(name)
    except (metadata.PackageNotFoundError, ValueError):
        raise _not_installed(name) from None
    removal = distribution.metadata["Name"]
    if normalize(removal) == PIP:
        needed = "Backprop Studio installs plugins with it"
    else:
        users = _required_by(removal)
        more = f" and {len(users) - 3} more" if len(users) > 3 else ""
        needed = f"required by {', '.join(users[:3])}{more}" if users else ""
    if needed:
        raise PluginAdminError(f"'{name}' is not a plugin but the distribution {removal} "
                               f"{distribution.version}, {needed}; it is left installed")
    run_pip(["uninstall", "--yes", removal], f"uninstall {removal}")
    return removal


def _required_by(distribution: str) -> list[str]:
    """The installed distributions declaring ``distribution`` a requirement (extras included)."""
    wanted = normalize(distribution)
    users = set()
    for other in metadata.distributions():
        for requirement in other.requires or []:
            match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
            if match and normalize(match.group()) == wanted:
                users.add(other.metadata["Name"])
    return sorted(users)


def _forget_disabled(settings: Settings, removed: list[Candidate], remaining: list[Candidate]) -> None:
    """Drop the "disabled" entries that meant only removed plugins, so a reinstall starts enabled."""
    disabled = settings.disabled_plugins
    kept = [entry for entry in disabled
            if not any(c.matches(entry) for c in removed) or any(c.matches(entry) for c in remaining)]
    if kept != disabled:
        settings.set_disabled_plugins(kept)
        save_settings(settings)


def _requested_distributions(report: Path) -> list[tuple[str, str]]:
    """(name, version) of what pip installed because it was asked to, from its ``--report`` JSON.

    Empty when pip installed nothing (the request was already satisfied) or wrote no report.
    """
    try:
        installed = json.loads(report.read_text(encoding="utf-8")).get("install", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [(item["metadata"]["name"], item["metadata"]["version"]) for item in installed
            if isinstance(item, dict) and item.get("requested") and isinstance(item.get("metadata"), dict)]


def _source(source: str | None) -> Source | None:
    if source is None:
        return None
    if source not in SOURCE_CHOICES:
        raise PluginAdminError(f"source must be one of {', '.join(SOURCE_CHOICES)}. Received: {source!r}")
    return SOURCE_CHOICES[source]


def _handle(candidate: Candidate) -> str:
    """The name that designates only this plugin's removal: its file name or its distribution."""
    if candidate.source == "folder" or not candidate.distribution:
        return Path(candidate.location).name
    return candidate.distribution


def _is_builtin_name(name: str) -> bool:
    return name.startswith(BUILTIN_PREFIX) or normalize(name) == "backprop-studio"


def _refuse_builtin(name: str, action: str) -> None:
    if _is_builtin_name(name):
        raise PluginAdminError(f"'{name}' is built in and cannot be {action}")


def _not_installed(name: str, note: str = "") -> PluginAdminError:
    names = ", ".join(c.name for c in discover(plugin_dir())) or "none"
    return PluginAdminError(f"no installed plugin named '{name}'. Installed: {names}{note}")
