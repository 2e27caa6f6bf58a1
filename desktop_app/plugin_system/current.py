"""The process-wide plugin host: what the rest of the app asks for its registry.

``current_registry()`` is what the app calls; ``current_host()`` adds the per-plugin report
(``plugins list``, the GUI's plugin dialog).
"""

from __future__ import annotations

import threading

from ..registry import Registry
from .host import PluginHost
from .loading import load_plugins

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
