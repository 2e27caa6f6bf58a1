"""What ``predict`` does around the network, as ONNX operators: the deployable graph.

``predict`` scales raw inputs with the scaler fitted in training, ``(x - offset) / scale``, runs
the network and turns its outputs into answers with the loss's ``predict`` (softmax or sigmoid
probabilities for the logit losses, the values themselves for regression), widening a single
sigmoid output into two columns for two classes. A graph built with a ``Deployment`` does the same,
so onnxruntime on raw inputs answers as ``predict`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from onnx import helper

from ..engine.loss import Loss
from ..engine.losses import BinaryCrossentropy, CategoricalCrossentropy
from .onnx_builder import OnnxContext

Activation = Literal["softmax", "sigmoid", "identity"]

# the loss's ``predict`` -> the operator doing the same; a loss that overrides it otherwise has no
# known ONNX form, and its model exports as the raw graph
_ACTIVATIONS: dict[object, Activation] = {
    Loss.predict: "identity",
    BinaryCrossentropy.predict: "sigmoid",
    CategoricalCrossentropy.predict: "softmax",
}

LOGITS, PROBABILITIES, VALUES = "logits", "probabilities", "values"


def loss_activation(loss: Loss) -> Activation | None:
    """The operator that does what ``loss.predict`` does, or None when no built-in form is known."""
    return _ACTIVATIONS.get(type(loss).predict)


@dataclass(frozen=True)
class Deployment:
    """The input scaling fitted in training and the output function ``predict`` applies.

    ``offset`` and ``scale`` have the sample shape (float64, as the scaler keeps them). With
    ``probabilities`` (a classifier) the graph outputs ``logits`` and ``probabilities``, widened
    from one column to two with ``two_columns``; otherwise one output, ``values``.
    """

    offset: np.ndarray
    scale: np.ndarray
    activation: Activation
    probabilities: bool
    two_columns: bool = False

    @property
    def output_names(self) -> list[str]:
        return [LOGITS, PROBABILITIES] if self.probabilities else [VALUES]


def scale_inputs(ctx: OnnxContext, raw: str, deployment: Deployment) -> str:
    """``(raw - offset) / scale`` in the model's dtype, as ``Scaler.transform`` computes it; a step
    that is the identity (offset 0, scale 1 everywhere) adds no operator."""
    scaled = raw
    if np.any(deployment.offset != 0):
        offset = ctx.add_initializer("input_scaling/offset", deployment.offset.astype(ctx.dtype))
        scaled = _add(ctx, "Sub", [scaled, offset], "input_scaling")
    if np.any(deployment.scale != 1):
        scale = ctx.add_initializer("input_scaling/scale", deployment.scale.astype(ctx.dtype))
        scaled = _add(ctx, "Div", [scaled, scale], "input_scaling")
    return scaled


def add_outputs(ctx: OnnxContext, network_output: str, output_shape: tuple[int, ...],
                deployment: Deployment) -> dict[str, tuple[int, ...]]:
    """The deployable outputs (named as ``deployment.output_names``, which the caller reserved) and
    their per-sample shapes."""
    answer = _activate(ctx, network_output, deployment.activation)
    if deployment.output_names == [VALUES]:
        ctx.nodes.append(helper.make_node("Identity", [answer], [VALUES], name=f"{VALUES}:output"))
        return {VALUES: output_shape}
    ctx.nodes.append(helper.make_node("Identity", [network_output], [LOGITS], name=f"{LOGITS}:output"))
    shape = output_shape
    if deployment.two_columns:  # P(second class) -> both columns
        other = _add(ctx, "Sub", [ctx.scalar("outputs/one", 1.0), answer], "outputs")
        answer = _add(ctx, "Concat", [other, answer], "outputs", axis=1)
        shape = (2,)
    ctx.nodes.append(helper.make_node("Identity", [answer], [PROBABILITIES], name=f"{PROBABILITIES}:output"))
    return {LOGITS: output_shape, PROBABILITIES: shape}


def _activate(ctx: OnnxContext, tensor: str, activation: Activation) -> str:
    if activation == "softmax":
        return _add(ctx, "Softmax", [tensor], "outputs", axis=-1)
    if activation == "sigmoid":
        return _add(ctx, "Sigmoid", [tensor], "outputs")
    return tensor


def _add(ctx: OnnxContext, op_type: str, inputs: list[str], prefix: str, **attrs: object) -> str:
    """An operator of the deployable graph's own, named ``<prefix>/<op_type>`` (no model node's)."""
    ctx.set_scope(prefix)
    try:
        return ctx.add_node(op_type, inputs, **attrs)
    finally:
        ctx.set_scope("")
