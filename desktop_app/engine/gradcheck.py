"""Gradient checking: a layer's, a loss's or a whole model's analytic gradients against central
finite differences, in float64. Plugin authors run the same functions on their own layers.

Relative error of one entry, with a the analytic and n the numeric value::

    error = |a − n| / max(|a| + |n|, ERROR_FLOOR)

It lies in [0, 1]: 1 means opposite signs or one side zero. Where both values are below the floor
(1e-5) the comparison becomes absolute, so round-off in near-zero entries (about 1e-10 with
eps = 1e-6) cannot blow up the ratio. A report keeps the largest error per input and per
parameter and is ``ok`` when each is at most its tolerance (1e-4 by default; correct float64
layers score around 1e-8, a wrong derivative scores above 1e-2). ``grade`` reads an error with
the bands of Stanford's CS231n notes (https://cs231n.github.io/neural-networks-3/#gradcheck).

Layers are checked on L = sum(output · R) for a fixed random R, so dL/doutput = R. Every evaluation
runs on a fresh copy of the built layer, so Dropout draws the same mask and BatchNorm in training
mode sees the same statistics each time.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import ConfigError, ShapeError
from .graph import Model
from .layer import Layer, Shape
from .loss import Loss

ERROR_FLOOR = 1e-5
DEFAULT_TOLERANCE = 1e-4
# Spread of the random values that replace exactly-zero parameters in a model check.
ZERO_NUDGE = 0.1

# ("input", index) or ("param", name): what one evaluation perturbs.
_Target = tuple[str, int | str]

# CS231n's reading of a relative error: the largest error each grade allows, best first; above the
# last bound the gradient is "wrong". 1e-4 is fine where the function has kinks (ReLU, max-pool)
# but already too high for a smooth one, which should reach 1e-7.
GRADE_BANDS: tuple[tuple[float, str], ...] = (
    (1e-7, "excellent"),
    (1e-4, "acceptable"),
    (1e-2, "uncomfortable"),
)
WRONG_GRADE = "wrong"


def grade(error: float) -> str:
    """The CS231n band of a relative error; NaN grades as wrong."""
    for bound, name in GRADE_BANDS:
        if error <= bound:
            return name
    return WRONG_GRADE


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """The largest entry-wise relative error (definition in the module docstring); 0 for empty arrays."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), ERROR_FLOOR)))


@dataclass
class GradCheckReport:
    """Largest relative error per checked array (``input 0``, ``input 1``, then parameter names)."""

    subject: str
    errors: dict[str, float] = field(default_factory=dict)
    tolerance: float = DEFAULT_TOLERANCE

    @property
    def ok(self) -> bool:
        return all(error <= self.tolerance for error in self.errors.values())

    @property
    def max_error(self) -> float:
        return max(self.errors.values(), default=0.0)

    def __str__(self) -> str:
        verdict = "ok" if self.ok else "FAILED"
        lines = [f"gradient check of {self.subject}: {verdict} (tolerance {self.tolerance:.0e})"]
        for name, error in self.errors.items():
            mark = "" if error <= self.tolerance else "   <-- exceeds tolerance"
            lines.append(f"  d/d{name:<20} max relative error {error:.2e} ({grade(error)}){mark}")
        return "\n".join(lines)


@dataclass
class ModelGradRow:
    """One row of ``check_model_gradients``, a node or the loss: None where there was nothing to check."""

    node: str
    type: str
    params_error: float | None
    input_error: float | None
    tolerance: float = DEFAULT_TOLERANCE

    @property
    def error(self) -> float | None:
        checked = [e for e in (self.params_error, self.input_error) if e is not None]
        return max(checked) if checked else None

    @property
    def ok(self) -> bool:
        return self.error is None or self.error <= self.tolerance

    @property
    def grade(self) -> str | None:
        return None if self.error is None else grade(self.error)


def check_layer_gradients(
    layer: type[Layer] | Layer,
    input_shapes: Shape | Sequence[Shape],
    *,
    config: Mapping | None = None,
    batch: int = 3,
    seed: int = 0,
    eps: float = 1e-6,
    training: bool = True,
    tolerance: float = DEFAULT_TOLERANCE,
) -> GradCheckReport:
    """Check every input and parameter gradient of a layer on random float64 data.

    ``layer`` is a Layer class (built from ``config``) or an instance (copied, then built afresh in
    float64 from its config). ``input_shapes`` are per-sample shapes, one per input; a single
    shape such as ``(4,)`` is accepted for one-input layers.
    """
    base = _fresh_layer(layer, config)
    shapes = _shape_list(input_shapes)
    rng = np.random.default_rng(seed)
    out_shape = base.output_shape(*shapes)
    base.dtype = np.dtype(np.float64)
    base.build(*shapes, rng=rng)
    inputs = [rng.standard_normal((batch, *shape)) for shape in shapes]
    weight = rng.standard_normal((batch, *out_shape))
    targets = [("input", i) for i in range(len(inputs))] + [("param", p) for p in base.params]
    errors = _compare_layer(base, inputs, weight, targets, eps, training, rng, max_entries=None)
    return GradCheckReport(base.kind_name(), errors, tolerance)


def check_loss_gradients(
    loss: type[Loss] | Loss,
    pred: np.ndarray,
    target: np.ndarray,
    *,
    eps: float = 1e-6,
    tolerance: float = DEFAULT_TOLERANCE,
) -> GradCheckReport:
    """Check a loss's dL/dpred at ``pred`` (cast to float64) against finite differences."""
    loss = loss() if isinstance(loss, type) else loss
    analytic, numeric = _loss_gradients(loss, np.array(pred, dtype=np.float64), target, eps)
    return GradCheckReport(loss.kind_name(), {"pred": relative_error(analytic, numeric)}, tolerance)


def check_model_gradients(
    model: Model,
    x: np.ndarray | Mapping[str, np.ndarray],
    y: np.ndarray,
    loss: Loss,
    *,
    eps: float = 1e-6,
    training: bool = True,
    max_entries: int | None = 32,
    seed: int = 0,
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[ModelGradRow]:
    """Check a model node by node, then its loss, in a float64 copy (the model is left untouched).

    Returns a row per non-input node in model order and a last row for the loss, named
    ``loss (<type>)``: its dL/dpred at the model's output against finite differences of its forward.

    Parameters are checked end to end: each weight is nudged in the whole model and the loss
    re-evaluated, which also checks the gradient flowing back through every later node and every
    fan-out. The analytic side starts that backward pass from the finite-difference dL/dpred, not
    from the loss's own backward, so a wrong loss fails its own row and no layer's.

    A node's input gradient (where the model needs one) is checked on the node alone with the
    inputs it really receives, jittered by 0.1% of their spread: exact ties (a max-pool window of
    ReLU zeros) have no derivative, and finite differences would disagree with any choice the
    layer makes there. ``max_entries`` caps the entries checked per array, drawn at random with
    ``seed`` (None checks all) so large models stay quick; the loss row checks every entry.

    The whole check runs at a point near the one given, away from kinks: the float inputs of ``x``
    are jittered the same way, and parameter entries that are exactly zero (fresh biases,
    BatchNorm's beta) are nudged to small random values. Otherwise a sample at the origin with zero
    biases puts a ReLU's input exactly on its kink, where a correct layer fails the check.
    """
    if len(model.output_names) != 1:
        raise ConfigError(
            f"check_model_gradients needs a model with one output. Received: {model.output_names}"
        )
    base = model.with_dtype("float64")
    rng = np.random.default_rng(seed)
    _nudge_zero_parameters(base, rng)
    x = _jitter_inputs(x, rng)
    run = copy.deepcopy(base)
    loss_analytic, loss_numeric = _loss_gradients(loss, run.forward(x, training=training), y, eps)
    run.backward(loss_numeric)
    analytic = run.gradients()
    values = copy.deepcopy(base).activations(x, training=training)
    rows = []
    for name in base.order:
        if name in base.input_names:
            continue
        layer = base.layers[name]

        def evaluate(target: _Target, index: int, delta: float, node: str = name) -> float:
            shifted = copy.deepcopy(base)
            shifted.layers[node].params[target[1]].flat[index] += delta
            return loss.forward(shifted.forward(x, training=training), y)

        params_error = None
        for param, array in layer.params.items():
            indices = _pick_indices(array.size, max_entries, rng)
            numeric = _central_differences(evaluate, ("param", param), indices, eps, 1.0)
            error = relative_error(analytic[f"{name}/{param}"].ravel()[indices], numeric)
            params_error = error if params_error is None else max(params_error, error)
        input_error = None
        if layer.input_grad_needed:
            inputs = [_jitter(values[source], rng) for source in base.specs[name].inputs]
            weight = rng.standard_normal(values[name].shape)
            targets = [("input", i) for i in range(len(inputs))]
            errors = _compare_layer(layer, inputs, weight, targets, eps, training, rng, max_entries)
            input_error = max(errors.values())
        rows.append(ModelGradRow(name, base.specs[name].type, params_error, input_error, tolerance))
    loss_error = relative_error(loss_analytic, loss_numeric)
    rows.append(ModelGradRow(f"loss ({loss.kind_name()})", Loss.category, None, loss_error, tolerance))
    return rows


# --- shared machinery ---------------------------------------------------------------------------
def _fresh_layer(layer: type[Layer] | Layer, config: Mapping | None) -> Layer:
    if isinstance(layer, Layer):
        if config is not None:
            raise ConfigError(
                f"check_layer_gradients: pass config only with a layer class; "
                f"Received an instance of {layer.kind_name()} and config {dict(config)!r}"
            )
        instance = copy.deepcopy(layer)
        instance.params.clear()
        instance.grads.clear()
        instance.state.clear()
    else:
        instance = layer(**dict(config or {}))
    instance.input_grad_needed = True
    return instance


def _shape_list(input_shapes: Shape | Sequence[Shape]) -> list[Shape]:
    if all(isinstance(d, (int, np.integer)) for d in input_shapes):
        return [tuple(int(d) for d in input_shapes)]
    return [tuple(int(d) for d in shape) for shape in input_shapes]


def _compare_layer(
    base: Layer,
    inputs: list[np.ndarray],
    weight: np.ndarray,
    targets: list[_Target],
    eps: float,
    training: bool,
    rng: np.random.Generator,
    max_entries: int | None,
) -> dict[str, float]:
    """Largest relative error per target, for L = sum(layer(inputs) · weight)."""
    layer = copy.deepcopy(base)
    layer.input_grad_needed = True
    output = layer.forward(*inputs, training=training)
    name = layer.kind_name()
    if output.shape != weight.shape:
        raise ShapeError(
            f"{name}.forward returned shape {output.shape}, but output_shape promised "
            f"{weight.shape[1:]} per sample (batch {weight.shape[0]})"
        )
    input_grads = layer.backward(weight)
    if len(input_grads) != len(inputs):
        raise ShapeError(
            f"{name}.backward must return one gradient per input ({len(inputs)}). "
            f"Received: {len(input_grads)}"
        )

    def evaluate(target: _Target, index: int, delta: float) -> np.ndarray:
        shifted = copy.deepcopy(base)
        xs = list(inputs)
        if target[0] == "input":
            xs[target[1]] = xs[target[1]].copy()
            xs[target[1]].flat[index] += delta
        else:
            shifted.params[target[1]].flat[index] += delta
        return shifted.forward(*xs, training=training)

    errors: dict[str, float] = {}
    for target in targets:
        kind, key = target
        if kind == "input":
            analytic, label = input_grads[key], f"input {key}"
            expected = inputs[key].shape
        else:
            analytic, label = layer.grads.get(key), str(key)
            expected = layer.params[key].shape
        if analytic is None or np.shape(analytic) != expected:
            raise ShapeError(
                f"{name}.backward: the gradient of {label} must have shape {expected}. "
                f"Received: {None if analytic is None else np.shape(analytic)}"
            )
        indices = _pick_indices(int(np.prod(expected)), max_entries, rng)
        numeric = _central_differences(evaluate, target, indices, eps, weight)
        errors[label] = relative_error(np.asarray(analytic).ravel()[indices], numeric)
    return errors


def _loss_gradients(
    loss: Loss, pred: np.ndarray, target: np.ndarray, eps: float
) -> tuple[np.ndarray, np.ndarray]:
    """dL/dpred at float64 ``pred``: the loss's backward, and central differences of its forward."""
    loss.forward(pred, target)
    analytic = np.array(loss.backward(), dtype=np.float64)
    if analytic.shape != pred.shape:
        raise ShapeError(
            f"{loss.kind_name()}.backward must return dL/dpred shaped like pred {pred.shape}. "
            f"Received: {analytic.shape}"
        )

    def evaluate(_: _Target, index: int, delta: float) -> float:
        shifted = pred.copy()
        shifted.flat[index] += delta
        return loss.forward(shifted, target)

    numeric = _central_differences(evaluate, ("input", 0), np.arange(pred.size), eps, 1.0)
    return analytic, numeric.reshape(pred.shape)


def _central_differences(
    evaluate: Callable[[_Target, int, float], np.ndarray | float],
    target: _Target,
    indices: np.ndarray,
    eps: float,
    weight: np.ndarray | float,
) -> np.ndarray:
    """(f(+eps) − f(−eps)) / 2eps per entry, f weighted by ``weight`` and summed.

    Outputs are subtracted before the weighted sum, so cancellation happens entry by entry rather
    than on a large total.
    """
    numeric = np.empty(len(indices))
    for slot, index in enumerate(indices):
        difference = np.asarray(evaluate(target, int(index), eps)) - evaluate(target, int(index), -eps)
        numeric[slot] = np.sum(difference * weight) / (2.0 * eps)
    return numeric


def _jitter(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    spread = float(np.std(values)) or 1.0
    return values + rng.standard_normal(values.shape) * (1e-3 * spread)


def _jitter_inputs(
    x: np.ndarray | Mapping[str, np.ndarray], rng: np.random.Generator
) -> np.ndarray | dict[str, np.ndarray]:
    """``x`` jittered like a node's inputs; integer inputs (class indices, tokens) stay exact."""
    if isinstance(x, Mapping):
        return {name: _jitter_inputs(values, rng) for name, values in x.items()}
    values = np.asarray(x)
    if not np.issubdtype(values.dtype, np.floating):
        return values
    return _jitter(values.astype(np.float64), rng)


def _nudge_zero_parameters(model: Model, rng: np.random.Generator) -> None:
    """Give every exactly-zero parameter entry a small random value, in place."""
    for layer in model.layers.values():
        for array in layer.params.values():
            zero = array == 0
            array[zero] = rng.standard_normal(int(np.count_nonzero(zero))) * ZERO_NUDGE


def _pick_indices(size: int, max_entries: int | None, rng: np.random.Generator) -> np.ndarray:
    if max_entries is None or size <= max_entries:
        return np.arange(size)
    return np.sort(rng.choice(size, size=max_entries, replace=False))

