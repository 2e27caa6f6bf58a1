"""The loss an untrained classifier should start near, to judge the output layer's initialization.

An untrained network whose logits are all near zero predicts every class equally: the
cross-entropy of a uniform guess over C classes is −ln(1/C) = ln C, whatever the labels
(Karpathy, "A Recipe for Training Neural Networks": verify loss @ init; cs231n: "look for
correct loss at chance performance"). A start far above it means over-confident wrong logits
(too large an output initialization or unscaled inputs). Regression losses depend on the
targets' scale, so they get no expectation.
"""

from __future__ import annotations

import math

import numpy as np

from .graph import Model
from .loss import Loss


def expected_initial_loss(loss: Loss, outputs: int) -> float | None:
    """ln C for softmax cross-entropy over ``outputs`` classes, ln 2 for sigmoid cross-entropy
    (per element), None for any other task."""
    if loss.task == "classification" and outputs >= 2:
        return math.log(outputs)
    if loss.task == "binary":
        return math.log(2.0)
    return None


def output_units(model: Model) -> int:
    """The values ``model`` outputs per sample (its classes, for a classifier)."""
    return int(np.prod(model.output_shape)) if model.output_shape else 1
