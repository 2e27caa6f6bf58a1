"""The warning a project gets when it uses a layer or loss from a plugin whose gradients failed
the finite-difference check (``plugin_system.gradients``): the command line prints it before
training, the window's plugin notice shows it."""

from __future__ import annotations

from ..plugin_system.gradients import CHECKED_KINDS
from ..registry import Registry
from .document import Project
from .requirements import type_uses


def suspect_uses(project: Project, registry: Registry) -> list[str]:
    """A warning for each layer or loss type the project uses from a plugin with suspect gradients."""
    warnings, seen = [], set()
    for use in type_uses(project):
        owner = registry.owner(use.kind, use.name)
        suspect = use.kind in CHECKED_KINDS and owner in registry.suspect_gradients
        if not suspect or (use.kind, use.name) in seen:
            continue
        seen.add((use.kind, use.name))
        warnings.append(f"this project uses {use.kind[:-1]} '{use.name}' ({use.json_path}) from plugin "
                        f"'{owner}', whose gradients failed the finite-difference check: "
                        f"{'; '.join(registry.suspect_gradients[owner])}")
    return warnings
