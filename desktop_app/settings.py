"""The user's settings file and folders: which plugins are disabled, where drop-in plugins live.

Settings are one JSON object in ``settings.json`` under platformdirs' user config dir; drop-in
plugins live in ``plugins/`` under the user data dir. ``BACKPROP_STUDIO_CONFIG_DIR`` and
``BACKPROP_STUDIO_DATA_DIR`` move those folders (tests, portable installs), so nothing here has to
touch the real home directory. Keys this module does not know are kept as they are, so other
parts of the app can store their own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from .fileio import atomic_write_text

APP_NAME = "backprop-studio"
CONFIG_DIR_ENV = "BACKPROP_STUDIO_CONFIG_DIR"
DATA_DIR_ENV = "BACKPROP_STUDIO_DATA_DIR"
SETTINGS_FILE = "settings.json"
DISABLED_PLUGINS = "disabled_plugins"


def config_dir() -> Path:
    """Where settings live: ``$BACKPROP_STUDIO_CONFIG_DIR`` or the platform's user config dir."""
    override = os.environ.get(CONFIG_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """Where user data lives: ``$BACKPROP_STUDIO_DATA_DIR`` or the platform's user data dir."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def plugin_dir() -> Path:
    """The folder scanned for drop-in ``.py`` plugins (it may not exist yet)."""
    return data_dir() / "plugins"


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


@dataclass
class Settings:
    """The settings object: a JSON object with typed accessors for the keys the app relies on."""

    values: dict[str, Any] = field(default_factory=dict)

    @property
    def disabled_plugins(self) -> list[str]:
        """Names of the plugins the user turned off (blocked before they are imported)."""
        return list(self.values.get(DISABLED_PLUGINS, []))

    def set_disabled_plugins(self, names: Iterable[str]) -> None:
        self.values[DISABLED_PLUGINS] = sorted(set(names))


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """Read the settings file; a missing file gives defaults, a malformed one raises ValueError.

    The error names the file and the line/column, so the user can fix it or delete it.
    """
    source = Path(path) if path is not None else settings_path()
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{source}: not UTF-8 text ({error.reason} at byte {error.start}); "
            "fix or delete the settings file"
        ) from None
    try:
        values = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{source}: line {error.lineno} column {error.colno}: not valid JSON ({error.msg}); "
            "fix or delete the settings file"
        ) from None
    if not isinstance(values, dict):
        raise ValueError(f"{source}: expected a JSON object. Received: {type(values).__name__}")
    disabled = values.get(DISABLED_PLUGINS, [])
    if not isinstance(disabled, list) or not all(isinstance(name, str) for name in disabled):
        raise ValueError(
            f"{source}: '{DISABLED_PLUGINS}' must be a list of plugin names. Received: {disabled!r}"
        )
    return Settings(values)


def save_settings(settings: Settings, path: str | os.PathLike | None = None) -> None:
    """Write the settings atomically (a crash never leaves half a file), creating the folder."""
    target = Path(path) if path is not None else settings_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, json.dumps(settings.values, indent=2, sort_keys=True) + "\n")
