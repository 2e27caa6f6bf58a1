"""Loading plugins with pluggy, so that a broken one never takes the app down.

Order: the built-in plugins, then installed entry points (group ``backprop_studio.plugins``), then
drop-in ``.py`` files in the user plugin folder. Plugins disabled in the settings are blocked
before they are imported; ``BACKPROP_STUDIO_LOAD_PLUGINS`` limits loading (unset: all, empty: none,
i.e. safe mode, ``a,b``: only those). Every item a plugin registers passes a contract check
(``desktop_app.plugin_checks``); anything that fails — an import, a hook, an item, a name clash —
is recorded against its plugin with the traceback, and everything else keeps working.

``current_registry()`` is what the rest of the app calls; ``current_host()`` adds the per-plugin
report (``plugins list``, the GUI's plugin dialog).
"""

from __future__ import annotations

import difflib
import logging
import os
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pluggy

from . import __version__, hookspecs
from .builtin_plugins import BUILTIN_TABLES, builtin_plugin
from .engine.errors import LayerError
from .hookspecs import PROJECT_NAME
from .plugin_checks import ContractError, check_onnx_mapping, check_registered_class
from .plugin_discovery import Candidate, Source, discover
from .plugin_gradients import check_plugin_gradients
from .registry import KINDS, SINGULAR, Registry
from .settings import load_settings, plugin_dir

LOAD_PLUGINS_ENV = "BACKPROP_STUDIO_LOAD_PLUGINS"
logger = logging.getLogger("desktop_app.plugins")

# (registry kind, collector hook) in calling order: mappings last, so they can see every layer.
COLLECTORS: tuple[tuple[str, str], ...] = tuple(
    (kind, f"register_{kind}") for kind in sorted(KINDS, key=lambda kind: kind == "onnx_mappings")
)

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
    # Its layers' or losses' gradient-check failures (desktop_app.plugin_gradients); it still loads.
    suspect_gradients: list[str] = field(default_factory=list)

    @property
    def builtin(self) -> bool:
        return self.source == "built-in"

    @property
    def status(self) -> str:
        """``active``, ``error`` (loaded, but something it registered was rejected), ``suspect
        gradients`` (loaded, but a layer or loss failed the gradient check), ``failed``,
        ``disabled`` or ``not loaded``."""
        if self.state != "loaded":
            return self.state
        if self.problems:
            return "error"
        return "suspect gradients" if self.suspect_gradients else "active"

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
            "suspect_gradients": list(self.suspect_gradients),
        }


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
        for kind, module_name, table in BUILTIN_TABLES:
            candidate = Candidate(f"builtin.{kind}", "built-in", f"{module_name}.{table}",
                                  "backprop-studio", __version__)
            self.load(candidate, lambda entry=(kind, module_name, table): builtin_plugin(*entry))

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
            if kind == "onnx_mappings":
                if len(item) != 2:
                    raise ContractError(f"register() takes (layer_type, fn). Received: {item!r}")
                check_onnx_mapping(item[0], item[1], list(registry.layers))
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
    if kind == "onnx_mappings":
        return first if isinstance(first, str) else repr(first)
    name = getattr(first, "type_name", None)
    return name if isinstance(name, str) and name else getattr(first, "__name__", repr(first))


# --- loading policy ----------------------------------------------------------------------------
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
    check_plugin_gradients(host)
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


# --- the process-wide host ---------------------------------------------------------------------
_current: PluginHost | None = None
_current_lock = threading.Lock()


def current_host() -> PluginHost:
    """The process-wide host, loaded on first use."""
    global _current
    with _current_lock:
        if _current is None:
            _current = load_plugins()
        return _current


def current_registry() -> Registry:
    """Every installed layer, loss, optimizer, ... by name: what the app builds models from."""
    return current_host().registry


def reload_registry() -> Registry:
    """Load every plugin afresh (after install, enable or disable) and return the new registry."""
    global _current
    host = load_plugins()
    with _current_lock:
        _current = host
    return host.registry


def use_host(host: PluginHost | None) -> PluginHost | None:
    """Make ``host`` the process-wide one (None: load afresh on next use); returns the previous."""
    global _current
    with _current_lock:
        previous, _current = _current, host
    return previous


# --- training runs -----------------------------------------------------------------------------
class PluginCallback:
    """A trainer callback forwarding run start, epoch end and run end to the notification hooks.

    It runs on the training thread. A plugin raising there is reported (to ``on_problem`` if
    given, else the ``desktop_app.plugins`` logger), recorded in the host, and muted for the rest
    of the run; training goes on. Batch ends are not forwarded: they are the trainer's hot path.
    """

    def __init__(
        self,
        model: Any,
        host: PluginHost | None = None,
        on_problem: Callable[[PluginProblem], None] | None = None,
    ) -> None:
        self.model = model
        self.host = host or current_host()
        self.on_problem = on_problem
        self._muted: set[str] = set()

    @classmethod
    def attach(
        cls,
        trainer: Any,
        host: PluginHost | None = None,
        on_problem: Callable[[PluginProblem], None] | None = None,
    ) -> PluginCallback:
        """Add a PluginCallback for ``trainer.model`` to an engine Trainer's callbacks (before ``fit``)."""
        callback = cls(trainer.model, host, on_problem)
        trainer.callbacks.append(callback)
        return callback

    def on_run_start(self, info: Any) -> None:
        self._muted = set()
        self._send("on_run_start", info=info)

    def on_epoch_end(self, event: Any) -> None:
        self._send("on_epoch_end", event=event)

    def on_run_end(self, result: Any) -> None:
        self._send("on_run_end", result=result)

    def _send(self, hook_name: str, **kwargs: Any) -> None:
        for problem in self.host.notify(hook_name, self._muted, model=self.model, **kwargs):
            if self.on_problem is not None:
                self.on_problem(problem)
            else:
                logger.warning("%s", problem.message)


# --- errors for users --------------------------------------------------------------------------
def format_layer_error(error: LayerError, host: PluginHost | None = None) -> str:
    """A LayerError with the layer type's plugin named, as the CLI and the GUI show it."""
    host = host or current_host()
    owner = host.owner_label("layers", error.layer_type) or "no loaded plugin"
    info = host.plugins.get(host.registry.owner("layers", error.layer_type) or "")
    hint = ""
    if info is not None and not info.builtin:
        hint = f" (to run without it: backprop-studio plugins disable {info.name})"
    return (f"layer '{error.node}' ({error.layer_type}, from {owner}) failed in {error.phase}: "
            f"{type(error.cause).__name__}: {error.cause}{hint}")
