"""Test helpers for plugin authors: check a layer, loss or optimizer in one call, and fixtures.

In a plugin's tests::

    from desktop_app.testing import check_layer, check_loss, check_optimizer

    def test_swish():
        check_layer(Swish, input_shapes=[(5,)])

Each helper raises AssertionError with a readable report when the class breaks its contract and
returns what it measured. The fixtures ``plugin_host`` (an isolated plugin manager: built-ins only,
no auto-loading, settings and data folders in a temporary directory) and ``register_plugin``
(register a plugin object for one test) become available with, in ``conftest.py``::

    from desktop_app.testing import plugin_host, register_plugin  # noqa: F401
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ..engine.gradcheck import GradCheckReport, check_layer_gradients, check_loss_gradients
from ..engine.graph import Model, NodeSpec
from ..engine.layer import Layer, Shape
from ..engine.loss import Loss
from ..engine.optimizer import Optimizer
from ..fileio import load_weights_npz, save_weights_npz
from ..settings import CONFIG_DIR_ENV, DATA_DIR_ENV
from . import checks
from .current import use_host
from .host import PluginHost
from .loading import load_plugins
from .report import PluginInfo


def check_layer(
    cls: type[Layer],
    input_shapes: Sequence[Shape] | None = None,
    config: Mapping[str, Any] | None = None,
    *,
    tolerance: float = 1e-4,
) -> GradCheckReport:
    """Check a layer class the way the app and its users rely on it.

    1. It is a Layer subclass with a ``type_name`` and a schema; ``config`` (default: the schema's
       defaults) builds it and round-trips through JSON.
    2. On ``input_shapes`` (one per input; default: its ``example_input_shapes`` or a sample
       shape it accepts) ``forward`` returns the declared ``output_shape`` in float32, and
       ``backward`` returns input-shaped gradients and fills ``grads``.
    3. Its input and parameter gradients match central finite differences (float64).
    4. Its parameters saved to a weights file and loaded into a fresh model give the same output.

    Returns the gradient-check report.
    """
    layer = _build(cls, Layer, "layers", config)
    shapes = _contract(lambda: checks.check_layer_runs(layer, input_shapes))
    report = check_layer_gradients(cls, shapes, config=layer.get_config(), tolerance=tolerance)
    if not report.ok:
        raise AssertionError(str(report))
    check_layer_weights_roundtrip(cls, shapes, layer.get_config())
    return report


def check_layer_weights_roundtrip(cls: type[Layer], input_shapes: Sequence[Shape],
                                  config: Mapping[str, Any]) -> None:
    """Weights saved from one model and loaded into a differently seeded one reproduce its output."""
    nodes = [NodeSpec(f"input_{i}", "Input", {"shape": list(shape)})
             for i, shape in enumerate(input_shapes)]
    nodes.append(NodeSpec("layer", cls.type_name, dict(config), [node.name for node in nodes]))
    rng = np.random.default_rng(1)
    inputs = {node.name: rng.standard_normal((4, *shape)).astype(np.float32)
              for node, shape in zip(nodes, input_shapes, strict=False)}
    first = Model(nodes, {cls.type_name: cls}, seed=0)
    second = Model(nodes, {cls.type_name: cls}, seed=1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "weights.npz"
        save_weights_npz(path, first.get_weights())
        second.set_weights(load_weights_npz(path))
    expected, received = first.forward(inputs), second.forward(inputs)
    if not np.array_equal(expected, received):
        raise AssertionError(
            f"{cls.type_name}: output after saving and loading its weights differs "
            f"(max abs difference {float(np.max(np.abs(expected - received))):.3g}); every array "
            "the output depends on must be in params or state"
        )


def check_loss(
    cls: type[Loss],
    config: Mapping[str, Any] | None = None,
    pred: np.ndarray | None = None,
    target: np.ndarray | None = None,
    *,
    tolerance: float = 1e-4,
) -> GradCheckReport:
    """Check a loss class: config round-trip, a finite value and pred-shaped float32 gradient, and
    dL/dpred against finite differences. ``pred``/``target`` default to a sample batch of its task."""
    loss = _build(cls, Loss, "losses", config)
    if pred is None or target is None:
        pred, target = checks.sample_batch(cls.task)
    _contract(lambda: checks.check_loss_outputs(loss, np.asarray(pred, np.float32), target))
    report = check_loss_gradients(loss, pred, target, tolerance=tolerance)
    if not report.ok:
        raise AssertionError(str(report))
    return report


def check_optimizer(
    cls: type[Optimizer],
    config: Mapping[str, Any] | None = None,
    *,
    learning_rate: float = 0.05,
    steps: int = 300,
    factor: float = 0.1,
) -> list[float]:
    """Check an optimizer class: config round-trip, an in-place float32 step, and that ``steps``
    steps at ``learning_rate`` on a badly scaled quadratic bring the loss below ``factor`` times
    its start. (The rate is the one the trainer would pass to ``step``; a config's default rate is
    tuned for real networks, often too small to show progress here.)

    Returns the loss before each step and after the last one.
    """
    optimizer = _build(cls, Optimizer, "optimizers", config)
    _contract(lambda: checks.check_optimizer_step(optimizer))
    optimizer.reset()
    curvature = {"w": np.array([1.0, 3.0, 10.0], np.float32), "b": np.full((2, 2), 2.0, np.float32)}
    optimum = {"w": np.array([0.5, -1.0, 1.0], np.float32),
               "b": np.array([[1.0, 0.0], [-1.0, 0.5]], np.float32)}
    params = {"w": np.zeros(3, np.float32), "b": np.zeros((2, 2), np.float32)}
    lr = learning_rate
    losses = []
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging optimizer fails below, loudly
        for _ in range(steps):
            losses.append(_quadratic(params, curvature, optimum))
            grads = {key: curvature[key] * (params[key] - optimum[key]) for key in params}
            optimizer.step(params, grads, lr)
        losses.append(_quadratic(params, curvature, optimum))
    if not losses[-1] <= factor * losses[0]:
        raise AssertionError(
            f"{cls.type_name} did not minimize a quadratic: loss {losses[0]:.4g} -> {losses[-1]:.4g} "
            f"after {steps} steps at learning rate {lr}; expected at most {factor} x the start"
        )
    return losses


def _quadratic(params: dict[str, np.ndarray], curvature: dict[str, np.ndarray],
               optimum: dict[str, np.ndarray]) -> float:
    return sum(0.5 * float(np.sum(curvature[k] * (params[k] - optimum[k]) ** 2)) for k in params)


def _build(cls: Any, base: type, kind: str, config: Mapping[str, Any] | None) -> Any:
    """The class check and a JSON config round-trip; returns the instance built from ``config``."""
    _contract(lambda: checks.check_component_class(cls, base, kind))
    instance = _contract(lambda: checks.instantiate_with_defaults(cls)) if config is None else cls(**config)
    _contract(lambda: checks.check_config_roundtrip(instance))
    return instance


def _contract(check: Callable[[], Any]) -> Any:
    """Turn a ContractError into an AssertionError, which pytest reports as a test failure."""
    try:
        return check()
    except checks.ContractError as error:
        raise AssertionError(str(error)) from error


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture
def plugin_host(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[PluginHost]:
    """A plugin host with the built-ins only, made the process-wide one for this test.

    Nothing installed is auto-loaded, and the settings and data folders (hence the drop-in plugin
    folder) point into the test's temporary directory, so the user's own setup is never touched.
    """
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "config"))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    host = load_plugins(autoload=False)
    previous = use_host(host)
    yield host
    use_host(previous)


@pytest.fixture
def register_plugin(plugin_host: PluginHost) -> Callable[..., PluginInfo]:
    """``register_plugin(plugin, name=None)``: register a module or object for this test only.

    The registry (``current_registry()``) is rebuilt at once; the returned PluginInfo reports what
    the plugin contributed and any problem it had.
    """

    def register(plugin: object, name: str | None = None) -> PluginInfo:
        info = plugin_host.register(plugin, name or getattr(plugin, "__name__", type(plugin).__name__))
        plugin_host.collect()
        return info

    return register
