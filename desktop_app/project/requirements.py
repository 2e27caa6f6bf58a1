"""Which installed types a project needs, and which plugin provided each one that is not built in.

A project records the plugin behind every non-built-in type it uses, so that opening it where the
plugin is missing can say which plugin to install, not only which type is unknown.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from ..registry import SINGULAR, Registry
from .document import Project
from .errors import ProjectError


@dataclass(frozen=True)
class TypeUse:
    """One place a project names a registered type."""

    kind: str
    name: str
    json_path: str


@dataclass(frozen=True)
class MissingType:
    use: TypeUse
    plugin: str | None
    # The installed type of the same kind whose name is closest (a likely typo), if any.
    close_match: str | None = None
    # Installed plugins that did not load, as (name, state, why) (see ``Registry.unloaded``): the
    # recorded plugin if it is one of them; with no plugin recorded, all of them (one may provide it).
    unloaded: tuple[tuple[str, str, str], ...] = ()
    # The recorded plugin's distribution and version, when it came from an installed distribution.
    distribution: tuple[str, str] | None = None

    def __str__(self) -> str:
        text = f"{SINGULAR[self.use.kind]} type '{self.use.name}' ({self.use.json_path}) is not " + (
            "available" if self.unloaded else "installed")
        if self.plugin and self.unloaded:
            return f"{text}: it is provided by {_unloaded_plugin(*self.unloaded[0])}"
        if self.plugin and self.distribution:
            name, version = self.distribution
            return (f"{text}; it was provided by plugin '{self.plugin}' ({name} {version}): "
                    f"install it with: backprop-studio plugins install {name}=={version}")
        if self.plugin:
            return f"{text}; it was provided by plugin '{self.plugin}': install or enable that plugin"
        if self.close_match:
            text += f" (did you mean '{self.close_match}'?)"
        if self.unloaded:
            return f"{text}; it may come from {'; or '.join(_unloaded_plugin(*p) for p in self.unloaded)}"
        return text if self.close_match else f"{text} and no plugin that provides it is recorded"


def _unloaded_plugin(name: str, state: str, why: str) -> str:
    """An installed plugin that did not load, and what to do about it."""
    if state == "disabled":
        return f"plugin '{name}', which is disabled (turn it on with: backprop-studio plugins enable {name})"
    if state == "failed":
        return f"plugin '{name}', which is installed but {why} (see: backprop-studio plugins list)"
    return f"plugin '{name}', which is installed but not loaded: {why}"


def type_uses(project: Project) -> list[TypeUse]:
    """Every registered type the project names, with where it names it."""
    uses = [TypeUse("layers", node.type, f"$.model.nodes[{i}].type")
            for i, node in enumerate(project.nodes) if node.type != "Input"]
    training = project.training
    uses += [
        TypeUse("losses", training.loss.type, "$.training.loss.type"),
        TypeUse("optimizers", training.optimizer.type, "$.training.optimizer.type"),
        TypeUse("schedules", training.schedule.type, "$.training.schedule.type"),
        TypeUse("datasets", project.dataset.type, "$.dataset.type"),
    ]
    uses += [TypeUse("metrics", name, f"$.training.metrics[{i}]") for i, name in enumerate(training.metrics)]
    return uses


def missing_types(project: Project, registry: Registry) -> list[MissingType]:
    """The types the project uses that the registry lacks, each with its recorded plugin and, when
    that plugin (or, none being recorded, any plugin) is installed but did not load, why not."""
    missing = []
    for use in type_uses(project):
        if use.name in registry.table(use.kind):
            continue
        plugin = project.plugins.get(use.kind, {}).get(use.name)
        unloaded = [(name, *status) for name, status in registry.unloaded.items()
                    if plugin is None or name == plugin]
        distribution = project.plugin_distributions.get(plugin) if plugin else None
        missing.append(MissingType(use, plugin, close_match(use.name, registry.table(use.kind)),
                                   tuple(unloaded), distribution))
    return missing


def disabled_plugin(missing: MissingType) -> str | None:
    """The plugin recorded for ``missing`` when it is installed but disabled (enabling it brings the
    type back), else None."""
    if missing.plugin and missing.unloaded and missing.unloaded[0][1] == "disabled":
        return missing.plugin
    return None


def install_requirement(missing: MissingType) -> str | None:
    """``distribution==version`` to pip-install when the plugin recorded for ``missing`` came from
    a distribution and is not installed at all (installed but not loaded is a different fix)."""
    if missing.plugin and missing.distribution and not missing.unloaded:
        return "==".join(missing.distribution)
    return None


def close_match(name: str, names: Iterable[str]) -> str | None:
    """The name in ``names`` that ``name`` most likely misspells ('Dence' -> 'Dense'), or None."""
    candidates = {candidate.lower(): candidate for candidate in names}
    matches = difflib.get_close_matches(name.lower(), candidates, n=1)
    return candidates[matches[0]] if matches else None


def require_types(project: Project, registry: Registry) -> None:
    """Raise one ProjectError listing every missing type (and the plugin to install for each)."""
    missing = missing_types(project, registry)
    if missing:
        raise ProjectError("; ".join(str(item) for item in missing), project.label)


def is_builtin_owner(owner: str | None) -> bool:
    """Built-ins register as ``builtin`` or ``builtin.<part>``; None means nobody recorded one."""
    return owner is None or owner.split(".")[0] == "builtin"


def record_plugins(project: Project, registry: Registry) -> None:
    """Set ``project.plugins`` to the owning plugin of each non-built-in type it uses, and
    ``project.plugin_distributions`` to the distribution and version of those that have one.

    Types missing from the registry keep the plugin (and distribution) recorded earlier, so saving
    a project opened without its plugin does not forget where its types come from.
    """
    recorded: dict[str, dict[str, str]] = {}
    distributions: dict[str, tuple[str, str]] = {}
    for use in type_uses(project):
        if use.name in registry.table(use.kind):
            owner = registry.owner(use.kind, use.name)
            installed = registry.distributions.get(owner) if owner else None
            if installed:
                distributions[owner] = installed
        else:
            owner = project.plugins.get(use.kind, {}).get(use.name)
            earlier = project.plugin_distributions.get(owner) if owner else None
            if earlier:
                distributions.setdefault(owner, earlier)
        if not is_builtin_owner(owner):
            recorded.setdefault(use.kind, {})[use.name] = owner
    project.plugins = recorded
    project.plugin_distributions = distributions
