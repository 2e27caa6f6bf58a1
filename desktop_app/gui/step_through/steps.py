"""A recorded training step as the step-through walks it: one Step per forward node, the loss, one
per backward node, and the update, each with the arrays it shows and the canvas marks it asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from ...engine.step_trace import FROM_LOSS, BackwardStep, ForwardStep, StepTrace

Phase = Literal["forward", "loss", "backward", "update"]


@dataclass(frozen=True)
class Panel:
    """One array on show; ``weight_key`` (``node/param``) marks a dL/dw whose cells can be checked."""

    label: str
    array: np.ndarray
    weight_key: str | None = None


@dataclass(frozen=True)
class Step:
    phase: Phase
    title: str
    # the nodes the canvas highlights, and the edges (source, target) it marks as traversed
    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    # the formula: the layer's chain rule, the loss's formula, or what the node computes
    text: str
    summary: str
    panels: tuple[Panel, ...]


def steps_of(trace: StepTrace) -> list[Step]:
    forward = [_forward(trace, step) for step in trace.forward]
    backward = [_backward(step) for step in trace.backward]
    return [*forward, _loss(trace), *backward, _update(trace)]


def _forward(trace: StepTrace, step: ForwardStep) -> Step:
    description = type(trace.start.layers[step.node]).description
    if not step.inputs:
        return Step("forward", f"Forward: {step.node} (the batch)", (step.node,), (), description,
                    f"{len(step.output)} samples enter the network",
                    (Panel(f"{step.node}: x", step.output),))
    panels = [Panel(f"input x from {source}", array) for source, array in step.inputs]
    panels.append(Panel(f"output y of {step.node}", step.output))
    edges = tuple((source, step.node) for source, _ in step.inputs)
    return Step("forward", f"Forward: {step.node} ({step.type})", (step.node,), edges, description,
                f"y = {step.type}({', '.join(source for source, _ in step.inputs)})", tuple(panels))


def _loss(trace: StepTrace) -> Step:
    loss = trace.loss
    panels = (Panel("prediction ŷ", loss.prediction), Panel("target t", loss.target),
              Panel("dL/dŷ: where backward starts", loss.grad))
    return Step("loss", f"Loss: {loss.type}", (loss.output_node,), (), loss.formula,
                f"L = {loss.value:.6g}", panels)


def _backward(step: BackwardStep) -> Step:
    panels: list[Panel] = []
    senders = [sender for sender, _ in step.arriving]
    if len(step.arriving) > 1:
        panels += [Panel(f"dL/dy from {sender}", grad) for sender, grad in step.arriving]
        panels.append(Panel(f"dL/dy = the sum of the {len(senders)} arriving", step.grad))
        summary = f"{step.node} feeds {len(senders)} nodes: their gradients add up"
    else:
        panels.append(Panel(f"dL/dy from {senders[0] if senders else FROM_LOSS}", step.grad))
        summary = f"dL/dy arrives from {senders[0] if senders else FROM_LOSS}"
    panels += [Panel(f"dL/d{param} of {step.node}", grad, f"{step.node}/{param}")
               for param, grad in step.param_grads.items()]
    panels += [Panel(f"dL/dx to {source}", grad) for source, grad in step.input_grads if grad is not None]
    edges = tuple((step.node, sender) for sender in senders if sender != FROM_LOSS)
    return Step("backward", f"Backward: {step.node} ({step.type})", (step.node,), edges, step.rule,
                summary, tuple(panels))


def _update(trace: StepTrace) -> Step:
    update = trace.update
    panels = []
    for param in update.params:
        size = param.relative_size
        ratio = "‖w‖ = 0" if size is None else f"‖Δw‖/‖w‖ = {size:.3g}"
        panels.append(Panel(f"Δw of {param.key} ({ratio})", param.delta))
    nodes = tuple(dict.fromkeys(param.key.split("/")[0] for param in update.params))
    return Step("update", f"Update: {update.optimizer}", nodes, (),
                f"w ← w + Δw, Δw from {update.optimizer} with learning rate {update.learning_rate:g}",
                f"{len(update.params)} parameters updated", tuple(panels))
