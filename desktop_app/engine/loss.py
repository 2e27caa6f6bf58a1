"""The Loss contract: a scalar from predictions and targets, and its gradient w.r.t. predictions."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np

from .component import Component

Task = Literal["classification", "binary", "regression"]

GENERIC_FORMULA = "L = loss(ŷ, t), averaged over the batch; dL/dŷ from the loss's backward"


class Loss(Component):
    """Base class of every loss. ``forward`` returns the batch mean; ``backward`` returns dL/dpred.

    ``task`` tells the trainer and the GUI which targets and metrics fit: ``classification``
    takes integer class labels (N,) or one-hot (N, C) and predictions are logits (N, C);
    ``binary`` takes 0/1 targets shaped like the logits; ``regression`` takes targets shaped
    like the predictions.
    """

    category: ClassVar[str] = "Loss"
    task: ClassVar[Task] = "regression"
    # The loss and its gradient written out, as the step-through shows them (ŷ: the predictions,
    # t: the targets); a plugin loss without one shows GENERIC_FORMULA.
    formula: ClassVar[str] = ""

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """dL/dpred for the last forward call, same shape and dtype as ``pred``."""
        raise NotImplementedError

    def predict(self, output: np.ndarray) -> np.ndarray:
        """Turn raw model output into what a user reads (probabilities for logit losses)."""
        return output
