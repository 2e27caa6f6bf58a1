"""What pip may not change when it installs a plugin: Backprop Studio and the packages it runs on.

A plugin requiring another numpy, PySide6 or backprop-studio would otherwise make pip silently
down- or upgrade them under the running app (napari's plugin manager met this and passes pip a
constraints file pinning the app). Every plugin install gets a constraints file pinning
backprop-studio and each installed distribution it depends on, directly or not, to the installed
version: pip then refuses a conflicting plugin before it changes anything, and ``pinned_conflict``
turns pip's report of that refusal into one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from .. import __version__
from .discovery import normalize

APP_DISTRIBUTION = "backprop-studio"
# How pip begins its report of an install it cannot resolve (the conflict lines follow it).
RESOLUTION_FAILED = "ERROR: Cannot install"
# One line of that report, under "The conflict is caused by:".
_DEPENDS_ON = re.compile(r"^\s*(?P<who>\S+) (?P<version>\S+) depends on (?P<requirement>\S.*?)\s*$")


def app_pins() -> dict[str, str]:
    """Normalized name -> installed version of backprop-studio and of everything it requires
    (recursively; the environment markers and requested extras of each requirement followed)."""
    pins = {APP_DISTRIBUTION: __version__}
    pending: list[tuple[str, frozenset[str]]] = [(APP_DISTRIBUTION, frozenset())]
    visited: set[tuple[str, frozenset[str]]] = set()
    while pending:
        name, extras = pending.pop()
        if (normalize(name), extras) in visited:
            continue
        visited.add((normalize(name), extras))
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        pins[normalize(distribution.metadata["Name"])] = distribution.version
        for text in distribution.requires or []:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:  # malformed metadata of some installed package: pip's to judge
                continue
            wanted = ("", *extras)
            if requirement.marker is None or any(requirement.marker.evaluate({"extra": e}) for e in wanted):
                pending.append((requirement.name, frozenset(requirement.extras)))
    return pins


def write_constraints(path: Path, pins: Mapping[str, str]) -> Path:
    """A pip constraints file holding ``name==version`` for each pin."""
    path.write_text("".join(f"{name}=={version}\n" for name, version in sorted(pins.items())),
                    encoding="utf-8")
    return path


def pinned_conflict(report: Iterable[str], pins: Mapping[str, str]) -> str | None:
    """From pip's report of an impossible install, the requirement that excludes a pinned version,
    as ``mish 1.0 requires numpy<1.0, but Backprop Studio runs on numpy 2.1.0``; None if none does."""
    for line in report:
        match = _DEPENDS_ON.match(line)
        if match is None:
            continue
        try:
            requirement = Requirement(match["requirement"])
        except InvalidRequirement:
            continue
        pinned = pins.get(normalize(requirement.name))
        if pinned is not None and not requirement.specifier.contains(pinned, prereleases=True):
            return (f"{match['who']} {match['version']} requires {match['requirement']}, but Backprop "
                    f"Studio runs on {requirement.name} {pinned}")
    return None
