"""Which plugins load: the built-ins, then installed entry points (group ``backprop_studio.plugins``),
then drop-in ``.py`` files in the user plugin folder.

Plugins disabled in the settings are blocked before they are imported;
``BACKPROP_STUDIO_LOAD_PLUGINS`` limits loading (unset: all, empty: none, i.e. safe mode, ``a,b``:
only those).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from ..settings import load_settings, plugin_dir
from .discovery import Candidate, discover
from .host import PluginHost

LOAD_PLUGINS_ENV = "BACKPROP_STUDIO_LOAD_PLUGINS"


def plugins_wanted(environ: dict[str, str] | None = None) -> set[str] | None:
    """The names ``BACKPROP_STUDIO_LOAD_PLUGINS`` allows: None when unset (all), empty for safe mode."""
    value = (os.environ if environ is None else environ).get(LOAD_PLUGINS_ENV)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def load_plugins(
    *,
    autoload: bool = True,
    folder: Path | None = None,
    disabled: Iterable[str] | None = None,
    wanted: set[str] | None | Literal["env"] = "env",
) -> PluginHost:
    """Build a host: built-ins, then (with ``autoload``) entry points and drop-in files.

    ``folder`` defaults to the user plugin folder, ``disabled`` to the settings' list, ``wanted``
    to what ``BACKPROP_STUDIO_LOAD_PLUGINS`` says (None: every plugin).
    """
    host = PluginHost()
    host.add_builtins()
    if autoload:
        if disabled is None:
            disabled = _disabled_from_settings(host)
        if wanted == "env":
            wanted = plugins_wanted()
        candidates = discover(folder if folder is not None else plugin_dir())
        for candidate in candidates:
            _load_candidate(host, candidate, set(disabled), wanted)
        _warn_unknown_wanted(host, wanted or set(), candidates)
    host.collect()
    return host


def _load_candidate(
    host: PluginHost, candidate: Candidate, disabled: set[str], wanted: set[str] | None
) -> None:
    if any(candidate.matches(name) for name in disabled):
        host.skip(candidate, "disabled", "disabled in settings (backprop-studio plugins enable to turn on)")
    elif wanted is not None and not wanted:
        host.skip(candidate, "not loaded", f"safe mode ({LOAD_PLUGINS_ENV} is empty or --safe-mode)")
    elif wanted is not None and not any(candidate.matches(name) for name in wanted):
        host.skip(candidate, "not loaded", f"not listed in {LOAD_PLUGINS_ENV}")
    else:
        host.load(candidate)


def _warn_unknown_wanted(host: PluginHost, wanted: set[str], candidates: list[Candidate]) -> None:
    """Warn about names in ``BACKPROP_STUDIO_LOAD_PLUGINS`` that no plugin answers to (a typo)."""
    installed = [c.name for c in candidates]
    for name in sorted(wanted):
        if name in host.plugins or any(c.matches(name) for c in candidates):
            continue
        close = difflib.get_close_matches(name, installed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        host.warn(f"{LOAD_PLUGINS_ENV} names '{name}', which matches no installed plugin; {hint}"
                  f"installed: {', '.join(installed) or 'none'}")


def _disabled_from_settings(host: PluginHost) -> list[str]:
    try:
        return load_settings().disabled_plugins
    except (OSError, ValueError) as error:
        host.warn(f"settings ignored, so no plugin is disabled: {error}")
        return []
