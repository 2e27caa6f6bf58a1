"""Contract checks run on every item a plugin registers, before the app ever uses it.

Each check is quick (a few tiny arrays) and raises ContractError with the reason when the item
breaks its contract; the plugin manager then quarantines that item and reports it against its
plugin. ``desktop_app.testing`` runs the same checks, plus the slower ones, in plugin authors' tests.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..engine.component import Component
from ..engine.errors import EngineError
from ..engine.initializer import Initializer
from ..engine.layer import Layer, Shape
from ..engine.loss import Loss, Task
from ..engine.metric import Metric
from ..engine.optimizer import Optimizer
from ..engine.schedule import Schedule
from ..engine.schema import Schema
from .hookspecs import PytorchCode

SAMPLE_BATCH = 3
# Tried in turn when a layer declares no ``example_input_shapes``: flat, image (NCHW), sequence.
FALLBACK_INPUT_SHAPES: tuple[Shape, ...] = ((8,), (3, 8, 8), (64,), (4, 6), (2,))


class ContractError(ValueError):
    """An item a plugin registered breaks its contract; the message says how."""


# --- any registered class --------------------------------------------------------------------------
def check_component_class(item: Any, base: type[Component], kind: str) -> type[Component]:
    """``item`` must be a subclass of ``base`` with a non-empty ``type_name`` and a Schema."""
    if not isinstance(item, type) or not issubclass(item, base):
        raise ContractError(
            f"register() for {kind} expects a subclass of {base.__module__}.{base.__name__}. "
            f"Received: {item!r}"
        )
    name = item.__dict__.get("type_name", item.type_name)
    if not isinstance(name, str) or not name.strip():
        raise ContractError(f"{item.__qualname__} must set a non-empty string type_name. Received: {name!r}")
    if not isinstance(item.schema, Schema):
        raise ContractError(
            f"{name}: schema must be built with desktop_app.engine.schema.schema(...). "
            f"Received: {type(item.schema).__name__}"
        )
    return item


def instantiate_with_defaults(cls: type[Component]) -> Component:
    """Build ``cls`` as a new GUI node or project entry would: from its schema's defaults."""
    try:
        return cls(**cls.schema.defaults())
    except Exception as error:
        raise ContractError(
            f"{cls.kind_name()} cannot be built from its schema defaults {cls.schema.defaults()}: "
            f"{type(error).__name__}: {error}"
        ) from error


def check_config_roundtrip(obj: Component) -> None:
    """``get_config()`` must survive JSON (project files) and rebuild an object with the same config."""
    name = obj.kind_name()
    config = obj.get_config()
    try:
        text = json.dumps(config, sort_keys=True)
    except TypeError as error:
        raise ContractError(
            f"{name}: get_config() must be JSON-serializable ({error}). Received: {config!r}"
        ) from None
    try:
        rebuilt = type(obj)(**json.loads(text))
    except Exception as error:
        raise ContractError(
            f"{name}: cannot be rebuilt from its own config {text}: {type(error).__name__}: {error}"
        ) from error
    expected = json.dumps(obj.config, sort_keys=True, default=repr)
    again = json.dumps(rebuilt.config, sort_keys=True, default=repr)
    if again != expected:
        raise ContractError(
            f"{name}: config does not round-trip through get_config(). "
            f"Expected: {expected}. Received: {again}"
        )


# --- layers ----------------------------------------------------------------------------------------
def sample_input_shapes(cls: type[Layer], layer: Layer) -> list[Shape]:
    """The layer's declared ``example_input_shapes``, else the first fallback shape it accepts."""
    declared = getattr(cls, "example_input_shapes", None)
    if declared:
        return [tuple(int(d) for d in shape) for shape in declared]
    count = 0 if layer.max_inputs == 0 else max(layer.min_inputs, 1)
    for shape in FALLBACK_INPUT_SHAPES:
        shapes = [shape] * count
        try:
            layer.output_shape(*shapes)
        except (EngineError, ValueError, TypeError, IndexError):  # not this shape: try another
            continue
        return shapes
    raise ContractError(
        f"{layer.kind_name()} accepts none of the sample input shapes {list(FALLBACK_INPUT_SHAPES)}; "
        "declare the class attribute example_input_shapes, e.g. ((16,),)"
    )


def check_layer(cls: type[Layer]) -> None:
    """The registration check of a layer class: defaults build, config round-trips, shapes agree."""
    layer = instantiate_with_defaults(cls)
    check_config_roundtrip(layer)
    check_layer_runs(layer)


def check_layer_runs(layer: Layer, input_shapes: Sequence[Shape] | None = None) -> list[Shape]:
    """Run ``check_layer_shapes`` on the given or sample input shapes; returns the shapes used."""
    shapes = list(input_shapes) if input_shapes is not None else sample_input_shapes(type(layer), layer)
    try:
        if layer.max_inputs == 0:  # a source (like Input): the graph feeds its data, nothing runs
            _check_shape(layer.kind_name(), layer.output_shape())
        else:
            check_layer_shapes(layer, shapes)
    except ContractError:
        raise
    except Exception as error:
        raise ContractError(
            f"{layer.kind_name()} raised on input shape(s) {shapes}: {type(error).__name__}: {error}"
        ) from error
    return shapes


def check_layer_shapes(layer: Layer, input_shapes: Sequence[Shape]) -> None:
    """Build, run forward (training and inference) and backward once on float32 data.

    Output shape must be what ``output_shape`` declared, dtype float32 (no silent upcast), declared
    ``weight_shapes`` what ``build`` created, and backward must return one input-shaped gradient per
    input and fill ``grads`` like ``params``.
    """
    name = layer.kind_name()
    declared = layer.output_shape(*input_shapes)
    _check_shape(name, declared)
    rng = np.random.default_rng(0)
    layer.build(*input_shapes, rng=rng)
    _check_weight_shapes(layer, input_shapes)
    inputs = [rng.standard_normal((SAMPLE_BATCH, *shape)).astype(np.float32) for shape in input_shapes]
    output = layer.forward(*inputs, training=True)
    _check_output(name, output, declared, "forward(training=True)")
    grads = layer.backward(np.ones_like(output))
    if not isinstance(grads, (tuple, list)) or len(grads) != len(inputs):
        raise ContractError(
            f"{name}.backward must return a tuple with one gradient per input ({len(inputs)}). "
            f"Received: {grads!r}"
        )
    for index, (grad, x) in enumerate(zip(grads, inputs, strict=True)):
        if grad is not None and np.shape(grad) != x.shape:
            raise ContractError(
                f"{name}.backward: gradient of input {index} must have the input's shape {x.shape}. "
                f"Received: {np.shape(grad)}"
            )
    for param, value in layer.params.items():
        if np.shape(layer.grads.get(param)) != value.shape:
            raise ContractError(
                f"{name}.backward must fill grads['{param}'] with shape {value.shape}. "
                f"Received: {np.shape(layer.grads.get(param))}"
            )
    _check_output(name, layer.forward(*inputs, training=False), declared, "forward(training=False)")


def _check_weight_shapes(layer: Layer, input_shapes: Sequence[Shape]) -> None:
    """A layer that declares ``weight_shapes`` (for the memory budget) must declare what ``build`` made."""
    declared = layer.weight_shapes(*input_shapes)
    made = {key: array.shape for key, array in {**layer.params, **layer.state}.items()}
    if declared and declared != made:
        raise ContractError(
            f"{layer.kind_name()}.weight_shapes must name the arrays build creates: {made}. "
            f"Received: {declared}"
        )


def _check_shape(name: str, shape: Any) -> None:
    if not isinstance(shape, tuple) or not all(isinstance(d, (int, np.integer)) and d > 0 for d in shape):
        raise ContractError(f"{name}.output_shape must return a tuple of positive ints. Received: {shape!r}")


def _check_output(name: str, output: Any, declared: Shape, call: str) -> None:
    expected = (SAMPLE_BATCH, *declared)
    if not isinstance(output, np.ndarray) or output.shape != expected:
        raise ContractError(
            f"{name}.output_shape declared {declared} per sample, so {call} on a batch of "
            f"{SAMPLE_BATCH} must return shape {expected}. Received: {np.shape(output)}"
        )
    if output.dtype != np.float32:
        raise ContractError(f"{name}.{call} must keep float32 inputs float32. Received dtype: {output.dtype}")


# --- losses, metrics, optimizers, schedules, initializers -------------------------------------------
def sample_batch(task: Task, rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Predictions (float32 logits or values) and matching targets for a loss or metric's task."""
    rng = rng or np.random.default_rng(0)
    if task == "classification":
        return rng.standard_normal((4, 3)).astype(np.float32), np.array([0, 2, 1, 2])
    if task == "binary":
        labels = np.array([[0.0], [1.0], [1.0], [0.0]], dtype=np.float32)
        return rng.standard_normal((4, 1)).astype(np.float32), labels
    return rng.standard_normal((4, 2)).astype(np.float32), rng.standard_normal((4, 2)).astype(np.float32)


def check_loss(cls: type[Loss]) -> None:
    """Defaults build, config round-trips, a sample batch gives a finite loss and a pred-shaped gradient."""
    loss = instantiate_with_defaults(cls)
    check_config_roundtrip(loss)
    check_loss_outputs(loss, *sample_batch(cls.task))


def check_loss_outputs(loss: Loss, pred: np.ndarray, target: np.ndarray) -> None:
    """forward gives a finite number; backward an array with pred's shape and dtype."""
    name = loss.kind_name()
    value = _guarded(name, "forward", lambda: loss.forward(pred, target))
    _check_finite_number(name, "forward", value)
    grad = _guarded(name, "backward", loss.backward)
    if not isinstance(grad, np.ndarray) or grad.shape != pred.shape or grad.dtype != pred.dtype:
        raise ContractError(
            f"{name}.backward must return dL/dpred with pred's shape {pred.shape} and dtype {pred.dtype}. "
            f"Received: {_describe(grad)}"
        )


def check_metric(cls: type[Metric]) -> None:
    metric = instantiate_with_defaults(cls)
    check_config_roundtrip(metric)
    if cls.tasks:
        pred, target = sample_batch(cls.tasks[0])
        _check_finite_number(metric.kind_name(), "__call__", _guarded(metric.kind_name(), "__call__",
                                                                     lambda: metric(pred, target)))


def check_optimizer(cls: type[Optimizer]) -> None:
    """Defaults build, config round-trips, one step moves a float32 parameter in place."""
    optimizer = instantiate_with_defaults(cls)
    check_config_roundtrip(optimizer)
    check_optimizer_step(optimizer)


def check_optimizer_step(optimizer: Optimizer) -> None:
    name = optimizer.kind_name()
    param = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    before = param.copy()
    lr = float(optimizer.config.get("learning_rate", 0.01)) or 0.01
    _guarded(name, "step", lambda: optimizer.step({"w": param}, {"w": param.copy()}, lr))
    if param.dtype != np.float32 or not np.isfinite(param).all() or np.array_equal(param, before):
        raise ContractError(
            f"{name}.step must update the float32 parameter in place with finite values. "
            f"Received: {before} -> {param} ({param.dtype})"
        )


def check_schedule(cls: type[Schedule]) -> None:
    schedule = instantiate_with_defaults(cls)
    check_config_roundtrip(schedule)
    name = schedule.kind_name()
    for step in (0, 50, 99):
        rate = _guarded(name, "rate", lambda step=step: schedule.rate(0.1, step, 10, 100))
        _check_finite_number(name, "rate", rate)


def check_initializer(cls: type[Initializer]) -> None:
    initializer = instantiate_with_defaults(cls)
    check_config_roundtrip(initializer)
    name = initializer.kind_name()
    array = _guarded(name, "__call__", lambda: initializer((4, 3), 4, 3, np.random.default_rng(0)))
    if not isinstance(array, np.ndarray) or array.shape != (4, 3) or not np.isfinite(array).all():
        raise ContractError(
            f"{name} must return a finite array of the requested shape (4, 3). Received: {_describe(array)}"
        )


def check_plain_component(cls: type[Component]) -> None:
    """Datasets and exporters: only the class and its config (loading or writing waits for use)."""
    check_config_roundtrip(instantiate_with_defaults(cls))


def check_onnx_mapping(layer_type: Any, mapping: Any, known_layers: Sequence[str]) -> None:
    if not isinstance(layer_type, str) or not callable(mapping):
        raise ContractError(
            "register() for ONNX mappings expects (layer_type_name: str, fn). "
            f"Received: ({layer_type!r}, {mapping!r})"
        )
    if layer_type not in known_layers:
        raise ContractError(f"ONNX mapping for layer type '{layer_type}', which no loaded plugin provides")


def check_pytorch_code(type_name: Any, code: Any, known_types: Sequence[str]) -> None:
    """A PytorchCode for a registered layer, loss or optimizer type, whose source parses (it is
    not run) and defines the class it names."""
    if not isinstance(type_name, str) or not isinstance(code, PytorchCode):
        raise ContractError("register() for PyTorch code expects (type_name: str, PytorchCode(class_name, "
                            f"source)). Received: ({type_name!r}, {code!r})")
    if type_name not in known_types:
        raise ContractError(f"PyTorch code for '{type_name}', which no loaded plugin provides as a layer, "
                            "loss or optimizer type")
    try:
        tree = ast.parse(code.source)
    except SyntaxError as error:
        raise ContractError(f"its source does not parse: {error}") from None
    classes = sorted(node.name for node in tree.body if isinstance(node, ast.ClassDef))
    if code.class_name not in classes:
        raise ContractError(f"its source defines no class '{code.class_name}'. "
                            f"Received classes: {classes or 'none'}")


# --- dispatch --------------------------------------------------------------------------------------
_CLASS_CHECKS: dict[str, Callable[[Any], None]] = {
    "layers": check_layer,
    "losses": check_loss,
    "optimizers": check_optimizer,
    "schedules": check_schedule,
    "initializers": check_initializer,
    "metrics": check_metric,
    "datasets": check_plain_component,
    "exporters": check_plain_component,
}


def component_base(kind: str) -> type[Component]:
    """The class every item of ``kind`` must subclass (datasets and exporters imported on demand)."""
    if kind == "datasets":
        from ..data.source import DatasetSource

        return DatasetSource
    if kind == "exporters":
        from ..export.base import Exporter

        return Exporter
    bases = {"layers": Layer, "losses": Loss, "optimizers": Optimizer, "schedules": Schedule,
             "initializers": Initializer, "metrics": Metric}
    return bases[kind]


def check_registered_class(kind: str, item: Any) -> str:
    """Run the registration check of a class of ``kind``; returns its type name."""
    cls = check_component_class(item, component_base(kind), kind)
    _CLASS_CHECKS[kind](cls)
    return cls.type_name


# --- helpers ---------------------------------------------------------------------------------------
def _guarded(name: str, method: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception as error:
        raise ContractError(
            f"{name}.{method} raised on a sample input: {type(error).__name__}: {error}"
        ) from error


def _check_finite_number(name: str, method: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not np.isfinite(value):
        raise ContractError(f"{name}.{method} must return a finite number. Received: {value!r}")


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}, dtype {value.dtype}"
    return repr(value)
