"""The plugin contract under the name plugin authors import (``from desktop_app.hookspecs import
hookimpl``): a stable public name for ``desktop_app.plugin_system.hookspecs``, where every hook is
defined and documented."""

from .plugin_system.hookspecs import (
    PROJECT_NAME,
    OnnxMapping,
    PytorchCode,
    hookimpl,
    hookspec,
    on_epoch_end,
    on_run_end,
    on_run_start,
    register_datasets,
    register_exporters,
    register_initializers,
    register_layers,
    register_losses,
    register_metrics,
    register_onnx_mappings,
    register_optimizers,
    register_pytorch_code,
    register_schedules,
)

__all__ = [
    "PROJECT_NAME",
    "OnnxMapping",
    "PytorchCode",
    "hookimpl",
    "hookspec",
    "on_epoch_end",
    "on_run_end",
    "on_run_start",
    "register_datasets",
    "register_exporters",
    "register_initializers",
    "register_layers",
    "register_losses",
    "register_metrics",
    "register_onnx_mappings",
    "register_optimizers",
    "register_pytorch_code",
    "register_schedules",
]
