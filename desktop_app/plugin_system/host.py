"""The plugin host: pluggy's PluginManager, plus the report of every plugin and the Registry the
plugins' ``register_*`` hooks filled, so that a broken plugin never takes the app down.

Every item a plugin registers passes a contract check (``checks``); anything that fails — an
import, a hook, an item, a name clash — is recorded against its plugin with the traceback, and
everything else keeps working. Which plugins are offered to the host is ``loading``'s business.
"""

from __future__ import annotations

import difflib
import importlib
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

import pluggy

from .. import __version__
from ..registry import KINDS, SINGULAR, Registry
from . import hookspecs
from .builtins import BUILTINS
from .checks import ContractError, check_onnx_mapping, check_pytorch_code, check_registered_class
from .discovery import Candidate, Source
from .hookspecs import PROJECT_NAME
from .report import LoadState, PluginInfo, PluginProblem

logger = logging.getLogger("desktop_app.plugins")

# Kinds registered as (type name, item) for a type of another kind: collected last, to see every type.
PAIRED_KINDS = ("onnx_mappings", "pytorch_code")
# (registry kind, collector hook) in calling order.
COLLECTORS: tuple[tuple[str, str], ...] = tuple(
    (kind, f"register_{kind}") for kind in sorted(KINDS, key=lambda kind: kind in PAIRED_KINDS)
)


class PluginHost:
    """A pluggy PluginManager plus the report of every plugin and the Registry it produced."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.registry = Registry()
        # (kind, name) -> why that item was refused at registration
        self.quarantined: dict[tuple[str, str], PluginProblem] = {}
        # Problems no plugin can be charged with (an unreadable settings file, an unknown name in
        # BACKPROP_STUDIO_LOAD_PLUGINS); ``warn`` also logs them, which reaches stderr in the CLI.
        self.warnings: list[str] = []
        self._lock = threading.Lock()

    # --- loading ----------------------------------------------------------------------------
    def add_builtins(self) -> None:
        """Import and register the built-in plugins (they cannot be blocked)."""
        for name, module_name in BUILTINS:
            candidate = Candidate(name, "built-in", module_name, "backprop-studio", __version__)
            self.load(candidate, lambda module_name=module_name: importlib.import_module(module_name))

    def load(self, candidate: Candidate, importer: Callable[[], object] | None = None) -> PluginInfo:
        """Import a candidate and register it; an import error is recorded, never raised."""
        info = self._add_info(candidate)
        if info.state == "failed":  # its name is taken: do not even import it
            return info
        try:
            plugin = (importer or candidate.load)()
        except (Exception, SystemExit) as error:
            self._fail(info, f"could not be imported: {type(error).__name__}: {error}", error)
            return info
        self._register(info, plugin)
        return info

    def skip(self, candidate: Candidate, state: LoadState, reason: str) -> PluginInfo:
        """Record a plugin that is deliberately not imported; a disabled one is also blocked."""
        info = self._add_info(candidate)
        info.state, info.reason = state, reason
        if state == "disabled":
            self.pm.set_blocked(candidate.name)
        return info

    def register(self, plugin: object, name: str, source: Source = "registered") -> PluginInfo:
        """Register an already-imported plugin object (tests, embedding); call ``collect`` after."""
        kind = type(plugin)
        location = getattr(plugin, "__name__", None) or f"{kind.__module__}.{kind.__qualname__}"
        info = self._add_info(Candidate(name, source, location))
        self._register(info, plugin)
        return info

    def _add_info(self, candidate: Candidate) -> PluginInfo:
        info = PluginInfo(candidate.name, candidate.source, candidate.location,
                          candidate.distribution, candidate.version)
        key = candidate.name
        if key in self.plugins:
            key = f"{candidate.name} ({candidate.location})"
            self._fail(info, f"its name is already taken by {self.plugins[candidate.name].label()}")
        self.plugins[key] = info
        return info

    def _register(self, info: PluginInfo, plugin: object) -> None:
        if info.state == "failed":
            return
        try:
            self.pm.register(plugin, name=info.name)
        except Exception as error:  # pluggy.PluginValidationError, or the same object twice
            self._fail(info, f"has invalid hook implementations: {error}", error)
            return
        unknown = self._unknown_hooks(plugin)
        if unknown:
            self.pm.unregister(plugin)
            self._fail(info, "implements unknown hook(s): " + "; ".join(unknown))

    def _unknown_hooks(self, plugin: object) -> list[str]:
        """Hooks the plugin implements that no hookspec declares (a misspelling, usually)."""
        known = sorted(name for name, caller in vars(self.pm.hook).items() if caller.has_spec())
        unknown = []
        for caller in self.pm.get_hookcallers(plugin) or []:
            if caller.has_spec() or all(impl.optionalhook for impl in caller.get_hookimpls()
                                        if impl.plugin is plugin):
                continue
            close = difflib.get_close_matches(caller.name, known, n=1)
            unknown.append(f"'{caller.name}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return unknown

    # --- collecting -------------------------------------------------------------------------
    def collect(self) -> Registry:
        """Call every collector hook plugin by plugin, check each item, and build a new Registry."""
        registry = Registry()
        self.quarantined = {}
        for info in self.plugins.values():
            info.contributes = {}
            info.problems = [p for p in info.problems if p.phase != "collect"]
        for kind, hook_name in COLLECTORS:
            impls = getattr(self.pm.hook, hook_name).get_hookimpls()
            for info in self.plugins.values():
                if info.state != "loaded":
                    continue
                for impl in impls:  # a plugin may implement a hook twice (pluggy's specname)
                    if impl.plugin_name == info.name:
                        self._collect_from(info, impl, kind, registry)
        self._check_pending()
        registry.unloaded = {info.name: (info.state, info.failure or info.reason)
                             for info in self.plugins.values() if info.state != "loaded" and not info.builtin}
        registry.distributions = {info.name: (info.distribution, info.version)
                                  for info in self.plugins.values()
                                  if info.state == "loaded" and not info.builtin
                                  and info.distribution and info.version}
        self.registry = registry
        return registry

    def _collect_from(self, info: PluginInfo, impl: Any, kind: str, registry: Registry) -> None:
        received: list[tuple[Any, ...]] = []

        def register(*item: Any) -> None:
            received.append(item)

        try:
            if impl.hookwrapper or impl.wrapper:
                raise TypeError("collector hooks cannot be wrappers")
            impl.function(*[{"register": register}[arg] for arg in impl.argnames])
        except Exception as error:
            self._problem(info, f"raised in register_{kind}(); its {kind} from that hook were skipped: "
                                f"{type(error).__name__}: {error}", error, phase="collect")
            return
        for item in received:
            self._accept(info, kind, item, registry)

    def _accept(self, info: PluginInfo, kind: str, item: tuple[Any, ...], registry: Registry) -> None:
        what = SINGULAR[kind]
        name = _item_name(kind, item)
        try:
            if kind in PAIRED_KINDS:
                if len(item) != 2:
                    raise ContractError(f"register() takes (type_name, {what}). Received: {item!r}")
                if kind == "onnx_mappings":
                    check_onnx_mapping(item[0], item[1], list(registry.layers))
                else:
                    check_pytorch_code(item[0], item[1], [*registry.layers, *registry.losses,
                                                          *registry.optimizers])
                value = item[1]
            else:
                if len(item) != 1:
                    raise ContractError(f"register() takes one class. Received: {item!r}")
                name = check_registered_class(kind, item[0])
                value = item[0]
        except ContractError as error:
            problem = self._problem(info, f"{what} '{name}' quarantined: {error}", error,
                                    item=f"{what} '{name}'", phase="collect")
            self.quarantined[(kind, name)] = problem
            return
        try:
            registry.add(kind, name, value, info.name)
        except ValueError as error:
            self._problem(info, f"{what} '{name}' skipped: {error}", item=f"{what} '{name}'", phase="collect")
            return
        info.contributes.setdefault(kind, []).append(name)

    def _check_pending(self) -> None:
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as error:
            info = self.info_of_plugin(error.plugin)
            if info is None:
                raise
            self.pm.unregister(error.plugin)
            self._fail(info, f"implements an unknown hook: {error}", error)

    # --- notifications ----------------------------------------------------------------------
    def notify(self, hook_name: str, muted: set[str], **kwargs: Any) -> list[PluginProblem]:
        """Call a notification hook plugin by plugin; one that raises is recorded and muted.

        ``muted`` names plugins not to call (the caller keeps it for one training run). Returns the
        problems of this call so the caller can show them.
        """
        found: list[PluginProblem] = []
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            if impl.plugin_name in muted or impl.hookwrapper or impl.wrapper:
                continue
            try:
                impl.function(*[kwargs[arg] for arg in impl.argnames])
            except Exception as error:
                muted.add(impl.plugin_name)
                info = self.plugins.get(impl.plugin_name)
                if info is not None:
                    found.append(self._problem(
                        info, f"raised in {hook_name}(); not called again this run: "
                              f"{type(error).__name__}: {error}", error, phase="run"))
        return found

    # --- reports ----------------------------------------------------------------------------
    def warn(self, message: str) -> None:
        """Record a problem of the set-up rather than of a plugin, and log it (stderr by default)."""
        self.warnings.append(message)
        logger.warning("warning: %s", message)

    def info_of_plugin(self, plugin: object) -> PluginInfo | None:
        name = self.pm.get_name(plugin)
        return self.plugins.get(name) if name is not None else None

    def problems(self) -> list[PluginProblem]:
        return [problem for info in self.plugins.values() for problem in info.problems]

    def owner_label(self, kind: str, name: str) -> str | None:
        """``plugin 'x' (dist 1.0)`` for the plugin that registered ``name``; None if none did."""
        owner = self.registry.owner(kind, name)
        info = self.plugins.get(owner) if owner is not None else None
        return info.label() if info is not None else owner

    def explain_missing(self, kind: str, name: str) -> str | None:
        """Why ``name`` is not in the registry, when a plugin tried to register it."""
        problem = self.quarantined.get((kind, name))
        return problem.message if problem is not None else None

    def _fail(self, info: PluginInfo, message: str, error: BaseException | None = None) -> None:
        info.state = "failed"
        info.failure = info.failure or message
        self._problem(info, message, error)

    def _problem(self, info: PluginInfo, message: str, error: BaseException | None = None,
                 item: str | None = None, phase: str = "load") -> PluginProblem:
        trace = "".join(traceback.format_exception(error)) if error is not None else ""
        problem = PluginProblem(info.name, f"{info.label()} {message}", trace, item, phase)
        with self._lock:  # notification hooks report from the training thread
            info.problems.append(problem)
        return problem


def _item_name(kind: str, item: tuple[Any, ...]) -> str:
    """The name to report a (possibly invalid) item under."""
    first = item[0] if item else None
    if kind in PAIRED_KINDS:
        return first if isinstance(first, str) else repr(first)
    name = getattr(first, "type_name", None)
    return name if isinstance(name, str) and name else getattr(first, "__name__", repr(first))
