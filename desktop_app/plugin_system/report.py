"""What the user is told about each plugin: where it comes from, what it contributes, what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .discovery import Source

LoadState = Literal["loaded", "failed", "disabled", "not loaded"]


@dataclass
class PluginProblem:
    """Something a plugin did wrong: what, where (``item`` names a rejected item), and the traceback."""

    plugin: str
    message: str
    traceback: str = ""
    item: str | None = None
    # "load" (import, hooks), "collect" (a register_* hook or an item), "run" (a notification hook)
    phase: str = "load"

    def to_json(self) -> dict[str, Any]:
        return {"plugin": self.plugin, "message": self.message, "item": self.item,
                "phase": self.phase, "traceback": self.traceback}


@dataclass
class PluginInfo:
    """One plugin as the user sees it: origin, version, what it contributes, and what went wrong."""

    name: str
    source: Source
    location: str
    distribution: str | None = None
    version: str | None = None
    state: LoadState = "loaded"
    # Why a plugin was not loaded (disabled in settings, safe mode, not in the env var's list).
    reason: str = ""
    # What made it fail to load, without its name ("could not be imported: ImportError: ...").
    failure: str = ""
    contributes: dict[str, list[str]] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)

    @property
    def builtin(self) -> bool:
        return self.source == "built-in"

    @property
    def status(self) -> str:
        """``active``, ``error`` (loaded, but something it registered was rejected), ``failed``,
        ``disabled`` or ``not loaded``."""
        if self.state != "loaded":
            return self.state
        return "error" if self.problems else "active"

    def label(self) -> str:
        """How messages name the plugin: ``plugin 'x' (dist 1.0)`` or ``built-in plugin 'x'``."""
        if self.builtin:
            return f"built-in plugin '{self.name}'"
        origin = " ".join(part for part in (self.distribution, self.version) if part)
        return f"plugin '{self.name}'" + (f" ({origin})" if origin else f" ({self.location})")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "version": self.version, "distribution": self.distribution,
            "source": self.source, "location": self.location, "status": self.status,
            "reason": self.reason, "contributes": {k: list(v) for k, v in self.contributes.items()},
            "problems": [problem.to_json() for problem in self.problems],
        }
