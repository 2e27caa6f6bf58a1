"""The figures a HealthMonitor gathered, as an immutable snapshot the rules and the views read."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ..divergence import Divergence

# "weights": a layer with parameters (gradient norm, update ratio); "relu": dead units;
# "squashing": a sigmoid or tanh (saturated activations)
LayerKind = Literal["weights", "relu", "squashing"]
SERIES: dict[str, tuple[str, ...]] = {
    "weights": ("grad_norm", "update_ratio"),
    "relu": ("dead_fraction",),
    "squashing": ("saturated_fraction",),
}


@dataclass(frozen=True)
class LayerSeries:
    """One node's measurements, one value per measured step (``HealthRecord.steps``)."""

    node: str
    type: str
    kind: LayerKind
    # the node's inputs, in the model (a dead ReLU's fix acts on the layer that feeds it)
    inputs: tuple[str, ...]
    values: dict[str, np.ndarray]

    def recent(self, name: str, count: int) -> float:
        """The median of the last ``count`` finite values of series ``name`` (NaN when none)."""
        series = self.values[name][-count:]
        finite = series[np.isfinite(series)]
        return float(np.median(finite)) if finite.size else math.nan


@dataclass(frozen=True)
class EpochFigures:
    epoch: int
    loss: float
    val_loss: float | None
    accuracy: float | None
    val_accuracy: float | None


@dataclass(frozen=True)
class StepDivergence:
    """The step at which the median of the last batch losses (``loss``) first met the divergence
    rule against the lowest such median before it (``best``): seen within a few steps of the blow-up,
    where the epoch's rule waits for the epoch's end."""

    step: int
    epoch: int
    loss: float
    best: float


@dataclass(frozen=True)
class HealthRecord:
    """Everything the rules look at: per-layer series, the loss at initialization, the epochs."""

    steps: np.ndarray
    layers: tuple[LayerSeries, ...]
    # the first batch's loss (the untrained network's) and ln C for classifiers (None otherwise)
    initial_loss: float | None
    expected_initial_loss: float | None
    # classes of a classifier (2 for a binary one), None for regression
    classes: int | None
    output_nodes: tuple[str, ...]
    epochs: tuple[EpochFigures, ...] = ()
    # the global gradient norm and the learning rate at each measured step
    global_norms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    learning_rates: np.ndarray = field(default_factory=lambda: np.zeros(0))
    divergence: Divergence | None = None
    step_divergence: StepDivergence | None = None
    # what became non-finite, when a NaN or infinite loss or gradient ended the run
    non_finite: str | None = None

    @property
    def diverged(self) -> bool:
        """The loss diverged, by either rule, or became non-finite."""
        return self.divergence is not None or self.step_divergence is not None or self.non_finite is not None

    def layer(self, node: str) -> LayerSeries:
        return next(series for series in self.layers if series.node == node)

    def of_kind(self, kind: LayerKind) -> list[LayerSeries]:
        return [series for series in self.layers if series.kind == kind]

    def to_json(self) -> dict[str, Any]:
        """The per-layer figures for scripts (``train --health json``); NaN becomes null."""
        return {
            "steps": self.steps.tolist(),
            "initial_loss": self.initial_loss,
            "expected_initial_loss": self.expected_initial_loss,
            "layers": [
                {"node": series.node, "type": series.type, "kind": series.kind,
                 **{name: [_finite_or_none(v) for v in values] for name, values in series.values.items()}}
                for series in self.layers
            ],
        }


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None
