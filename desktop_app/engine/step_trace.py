"""One mini-batch, step by step: the values a training step computes, recorded for the step-through.

``trace_step`` runs a batch through ``Model.forward``, the loss, ``Model.backward`` and
``Optimizer.step`` exactly as the trainer does, on deep copies of the model and the optimizer, so a
paused run's weights and optimizer state are never touched. A ``ModelObserver`` on the copy records
every value as the engine computes it (copied at once: layers reuse their buffers), so the numbers
shown are the engine's own, not recomputations. Only the Layer interface is used: plugin layers
step through like built-in ones.

``weight_derivative`` checks one entry of a recorded dL/dw by central finite differences of the
loss in a float64 copy of the model as it was before the step.
"""

from __future__ import annotations

import copy
import inspect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import EngineError
from .graph import Model
from .layer import Layer
from .loss import GENERIC_FORMULA, Loss
from .optimizer import Optimizer

GENERIC_RULE = "dL/dx = dL/dy · ∂y/∂x"
# Where the gradient of the model's output comes from, in ``BackwardStep.arriving``.
FROM_LOSS = "loss"


def chain_rule(layer_cls: type[Layer]) -> str:
    """The chain rule a layer type states: its ``chain_rule`` text, else its own docstring when that
    starts "Chain rule" (every built-in's does), else the generic rule."""
    if layer_cls.chain_rule:
        return layer_cls.chain_rule
    doc = inspect.cleandoc(layer_cls.__dict__.get("__doc__") or "")
    if doc.startswith("Chain rule"):
        return " ".join(doc.split())
    return GENERIC_RULE


def loss_formula(loss: Loss) -> str:
    return type(loss).formula or GENERIC_FORMULA


@dataclass(frozen=True)
class ForwardStep:
    """A node's forward computation: its inputs by source node, and its output."""

    node: str
    type: str
    inputs: tuple[tuple[str, np.ndarray], ...]
    output: np.ndarray


@dataclass(frozen=True)
class LossStep:
    """The loss of the batch and dL/dŷ, the gradient that starts the backward pass."""

    type: str
    formula: str
    value: float
    output_node: str
    prediction: np.ndarray
    target: np.ndarray
    grad: np.ndarray


@dataclass(frozen=True)
class BackwardStep:
    """A node's backward computation: the gradients arriving from its consumers (or the loss),
    their sum dL/dy as the layer received it, and the dL/dw and dL/dx it produced."""

    node: str
    type: str
    rule: str
    arriving: tuple[tuple[str, np.ndarray], ...]
    grad: np.ndarray
    param_grads: dict[str, np.ndarray]
    input_grads: tuple[tuple[str, np.ndarray | None], ...]


@dataclass(frozen=True)
class ParamUpdate:
    """One parameter's update: its value before, and the optimizer's Δw."""

    key: str
    weight: np.ndarray
    delta: np.ndarray

    @property
    def relative_size(self) -> float | None:
        """‖Δw‖/‖w‖, or None while w is all zeros (a fresh bias) and the ratio has no value."""
        weight_norm = float(np.linalg.norm(self.weight))
        return float(np.linalg.norm(self.delta)) / weight_norm if weight_norm else None


@dataclass(frozen=True)
class UpdateStep:
    optimizer: str
    learning_rate: float
    params: tuple[ParamUpdate, ...]


@dataclass
class StepTrace:
    """A recorded training step, and what is needed to check it (the model before the step)."""

    forward: list[ForwardStep]
    loss: LossStep
    backward: list[BackwardStep]
    update: UpdateStep
    start: Model = field(repr=False)
    loss_fn: Loss = field(repr=False)
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)


class _Recorder:
    """A ModelObserver that keeps a copy of every value it sees."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.forward: list[ForwardStep] = []
        self.backward: list[BackwardStep] = []
        # dL/d(output) per output node, then what each node was sent, by the node that sent it
        self.arriving: dict[str, list[tuple[str, np.ndarray]]] = {}

    def forward_node(self, node: str, inputs: Sequence[np.ndarray], output: np.ndarray) -> None:
        sources = self.model.specs[node].inputs
        pairs = tuple((source, array.copy()) for source, array in zip(sources, inputs, strict=True))
        self.forward.append(ForwardStep(node, self.model.specs[node].type, pairs, output.copy()))

    def gradient_sent(self, source: str, consumer: str, grad: np.ndarray) -> None:
        self.arriving.setdefault(source, []).append((consumer, grad.copy()))

    def backward_node(self, node: str, grad: np.ndarray, input_grads: Sequence[np.ndarray | None]) -> None:
        layer = self.model.layers[node]
        arriving = self.arriving.pop(node, [])
        sources = self.model.specs[node].inputs
        passed = input_grads if layer.input_grad_needed else [None] * len(sources)
        self.backward.append(BackwardStep(
            node, self.model.specs[node].type, chain_rule(type(layer)), tuple(arriving), grad.copy(),
            {name: array.copy() for name, array in layer.grads.items()},
            tuple((source, None if g is None else np.array(g))
                  for source, g in zip(sources, passed, strict=True)),
        ))


def trace_step(model: Model, loss: Loss, optimizer: Optimizer, x: np.ndarray, y: np.ndarray,
               learning_rate: float) -> StepTrace:
    """Record one training step of ``model`` on the batch ``(x, y)``; ``model``, ``loss`` and
    ``optimizer`` are left as they were. An EngineError says so when the loss or a gradient is
    not finite (the step would not be taken)."""
    start = copy.deepcopy(model)
    start.observer = None  # whoever watches ``model`` does not watch the copies
    work, loss_fn, stepper = copy.deepcopy(start), copy.deepcopy(loss), copy.deepcopy(optimizer)
    recorder = _Recorder(work)
    work.observer = recorder
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        output = work.forward(x, training=True)
        value = loss_fn.forward(output, y)
        if not math.isfinite(value):
            raise EngineError(f"the loss of this batch is not finite ({value}): no step to show")
        grad = loss_fn.backward()
        recorder.arriving[work.output_names[0]] = [(FROM_LOSS, grad.copy())]
        loss_step = LossStep(loss_fn.kind_name(), loss_formula(loss_fn), float(value), work.output_names[0],
                             output.copy(), np.asarray(y).copy(), grad.copy())
        work.backward(grad)
    work.observer = None
    params, grads = work.parameters(), work.gradients()
    bad = next((key for key, g in grads.items() if not np.isfinite(g).all()), None)
    if bad is not None:
        raise EngineError(f"the gradient of '{bad}' is not finite on this batch: no step to show")
    before = {key: array.copy() for key, array in params.items()}
    stepper.step(params, grads, learning_rate)
    updates = tuple(ParamUpdate(key, before[key], params[key] - before[key]) for key in params)
    update = UpdateStep(stepper.kind_name(), float(learning_rate), updates)
    return StepTrace(recorder.forward, loss_step, recorder.backward, update, start, copy.deepcopy(loss), x, y)


@dataclass(frozen=True)
class WeightDerivative:
    """dL/dw of one weight in float64: by backpropagation and by central finite differences."""

    key: str
    index: tuple[int, ...]
    backprop: float
    numeric: float
    eps: float

    @property
    def difference(self) -> float:
        return abs(self.backprop - self.numeric)


def weight_derivative(
    trace: StepTrace, key: str, index: tuple[int, ...], eps: float = 1e-6
) -> WeightDerivative:
    """dL/dw of weight ``key`` (``node/param``) at ``index`` for the traced batch, from the model
    as it was before the step in float64: (L(w + eps) − L(w − eps)) / 2eps beside backprop's value.

    A float64 model is copied as it is, so Dropout draws the trace's masks; a float32 one is
    rebuilt in float64 (its masks are drawn anew, the same for every evaluation)."""
    start = trace.start
    base = copy.deepcopy(start) if start.dtype == np.float64 else start.with_dtype("float64")
    if key not in base.parameters():
        raise EngineError(f"the model has no weight '{key}'. Expected one of: {sorted(base.parameters())}")
    index = tuple(int(i) for i in index)

    def loss_at(delta: float) -> float:
        model, loss = copy.deepcopy(base), copy.deepcopy(trace.loss_fn)
        model.parameters()[key][index] += delta
        return loss.forward(model.forward(trace.x, training=True), trace.y)

    model, loss = copy.deepcopy(base), copy.deepcopy(trace.loss_fn)
    loss.forward(model.forward(trace.x, training=True), trace.y)
    model.backward(loss.backward())
    backprop = float(model.gradients()[key][index])
    numeric = (loss_at(eps) - loss_at(-eps)) / (2.0 * eps)
    return WeightDerivative(key, index, backprop, numeric, eps)
