"""The whole plugin contract: every hook Backprop Studio calls, with its arguments.

A plugin is a module (or any object) with functions decorated by ``hookimpl`` and named after the
hooks below; an installed distribution exposes it through the entry-point group
``backprop_studio.plugins``, or a single ``.py`` file is dropped into the user plugin folder. The
built-in layers, losses, optimizers, ... are registered through these same hooks.

Rules every hook follows:

- Arguments are passed by keyword. A hook implementation asks only for the arguments it uses
  (pluggy's opt-in rule); arguments added in later versions never break an older plugin.
- Collector hooks (``register_*``) receive a ``register`` callback instead of returning a list, so
  the host checks each item as it arrives and knows which plugin owns it. An item that fails its
  check is skipped and reported against the plugin; the plugin's other items keep working.
- A misspelled hook name (``register_layer``) is an error reported against its plugin, found by
  pluggy's ``check_pending``. Mark a hook ``@hookimpl(optionalhook=True)`` only to implement a hook
  of a newer Backprop Studio that this one may not know.

See docs/plugins.md for a tutorial.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import pluggy

if TYPE_CHECKING:
    from ..data.source import DatasetSource
    from ..engine.callbacks import EpochEvent, RunInfo, RunResult
    from ..engine.graph import Model
    from ..engine.initializer import Initializer
    from ..engine.layer import Layer
    from ..engine.loss import Loss
    from ..engine.metric import Metric
    from ..engine.optimizer import Optimizer
    from ..engine.schedule import Schedule
    from ..export.base import Exporter

PROJECT_NAME = "backprop_studio"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

# Signature of an ONNX mapping: fn(ctx, layer, node_name, inputs) -> name of the output tensor.
OnnxMapping = Callable[[Any, "Layer", str, list[str]], str]


# --- collector hooks ---------------------------------------------------------------------------
@hookspec
def register_layers(register: Callable[[type[Layer]], None]) -> None:
    """Register Layer subclasses: ``register(Swish)``, once per class.

    The class's ``type_name`` is the name project files use. Each layer gets a contract check at
    registration: built with its schema defaults on a sample input shape (the class attribute
    ``example_input_shapes``, e.g. ``((16,),)``, or else a few common shapes are tried), its
    ``output_shape`` must match what ``forward`` returns, ``backward`` must return one gradient
    per input, and its config must round-trip through JSON. A layer failing any of these is
    quarantined with the reason and does not appear in the app.
    """


@hookspec
def register_losses(register: Callable[[type[Loss]], None]) -> None:
    """Register Loss subclasses: ``register(FocalLoss)``; checked on a sample batch for its ``task``."""


@hookspec
def register_optimizers(register: Callable[[type[Optimizer]], None]) -> None:
    """Register Optimizer subclasses: ``register(Lion)``; checked by one step on a small parameter."""


@hookspec
def register_schedules(register: Callable[[type[Schedule]], None]) -> None:
    """Register learning-rate Schedule subclasses: ``register(MySchedule)``."""


@hookspec
def register_initializers(register: Callable[[type[Initializer]], None]) -> None:
    """Register weight Initializer subclasses: ``register(Orthogonal)``."""


@hookspec
def register_metrics(register: Callable[[type[Metric]], None]) -> None:
    """Register Metric subclasses: ``register(F1Score)``."""


@hookspec
def register_datasets(register: Callable[[type[DatasetSource]], None]) -> None:
    """Register DatasetSource subclasses (``desktop_app.data.source``): ``register(MyData)``.

    Only the class and its config are checked at registration; ``load()`` runs when a user picks it.
    """


@hookspec
def register_exporters(register: Callable[[type[Exporter]], None]) -> None:
    """Register Exporter subclasses (``desktop_app.export.base``); ``type_name`` is the format name."""


@hookspec
def register_onnx_mappings(register: Callable[[str, OnnxMapping], None]) -> None:
    """Register how a layer type is written to ONNX: ``register("Swish", swish_to_onnx)``.

    The mapping is ``fn(ctx, layer, node_name, inputs) -> str``: ``ctx`` offers
    ``add_node(op_type, inputs, outputs=None, **attrs)``, ``add_initializer(name, array)`` and
    ``fresh_name(prefix)``; ``layer`` is the built layer (``config``, ``params``, ``state``);
    ``inputs`` are the names of the tensors feeding the node; the return value names the tensor
    holding the layer's output. The layer type must be registered (by any plugin) first.
    """


class PytorchCode(NamedTuple):
    """A type's PyTorch form: ``source`` is Python code defining the class ``class_name``, which the
    PyTorch export copies into the project it writes (docs/export.md says what each kind receives)."""

    class_name: str
    source: str


@hookspec
def register_pytorch_code(register: Callable[[str, PytorchCode], None]) -> None:
    """Give the PyTorch class of a layer, loss or optimizer type, for ``export --format pytorch``:
    ``register("Swish", PytorchCode("Swish", SOURCE))``. The app parses the source (never runs
    it) and checks it defines the class; the type must be registered (by any plugin) first."""


# --- notification hooks ------------------------------------------------------------------------
# Forwarded from a training run by ``desktop_app.plugin_system.PluginCallback``. They are called on
# the training worker thread, never the GUI thread: do not touch Qt widgets here, keep the work
# short (training waits for it), and guard shared state with a lock. A plugin raising here is
# reported and not called again for that run; training goes on.
@hookspec
def on_run_start(info: RunInfo, model: Model) -> None:
    """A training run is starting: ``info`` (``desktop_app.engine.callbacks.RunInfo``) holds its
    epochs, batch size, step counts, sample counts, parameter keys, metric names and seed;
    ``model`` is the engine Model being trained."""


@hookspec
def on_epoch_end(event: EpochEvent, model: Model) -> None:
    """An epoch finished: ``event`` (``EpochEvent``) holds its number (from 1), loss, metrics,
    validation loss and metrics, learning rate and timing; ``event.logs`` has them flat by name."""


@hookspec
def on_run_end(result: RunResult, model: Model) -> None:
    """A run ended: ``result.reason`` is completed, stopped, early_stopping or error (then
    ``result.error`` is the exception); ``result.history`` holds every finished epoch."""
