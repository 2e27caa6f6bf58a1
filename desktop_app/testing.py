"""Test helpers for plugin authors under the name they import (``from desktop_app.testing import
check_layer``): a stable public name for ``desktop_app.plugin_system.testing``, where they are
defined and documented."""

from .plugin_system.testing import (
    check_layer,
    check_layer_weights_roundtrip,
    check_loss,
    check_optimizer,
    plugin_host,
    register_plugin,
)

__all__ = [
    "check_layer",
    "check_layer_weights_roundtrip",
    "check_loss",
    "check_optimizer",
    "plugin_host",
    "register_plugin",
]
