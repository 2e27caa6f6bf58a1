"""The plugin system: how Backprop Studio finds, loads, checks and manages plugins (pluggy).

| module | job |
|---|---|
| ``hookspecs`` | the plugin contract (public as ``desktop_app.hookspecs``) |
| ``discovery`` | finding plugins without importing them: entry points, drop-in files |
| ``loading`` | which plugins load: built-ins, settings' disabled list, ``BACKPROP_STUDIO_LOAD_PLUGINS`` |
| ``host`` | ``PluginHost``: registering, collecting the ``register_*`` hooks into a Registry |
| ``checks`` | the contract check every registered item passes |
| ``report`` | ``PluginInfo`` and ``PluginProblem``: what the user is told about each plugin |
| ``current`` | the process-wide host and registry |
| ``run_hooks`` | the notification hooks during a training run; a failed layer's plugin named |
| ``admin``, ``pip_constraints`` | install, uninstall, enable, disable (CLI and window) |
| ``builtins/`` | the built-in plugins, one module each |
| ``testing`` | helpers for plugin authors' tests (public as ``desktop_app.testing``) |

What the rest of the app uses is importable from here.
"""

from .current import current_host, current_registry, reload_registry, use_host
from .host import PluginHost
from .loading import LOAD_PLUGINS_ENV, load_plugins, plugins_wanted
from .report import PluginInfo, PluginProblem
from .run_hooks import PluginCallback, format_layer_error

__all__ = [
    "LOAD_PLUGINS_ENV",
    "PluginCallback",
    "PluginHost",
    "PluginInfo",
    "PluginProblem",
    "current_host",
    "current_registry",
    "format_layer_error",
    "load_plugins",
    "plugins_wanted",
    "reload_registry",
    "use_host",
]
