"""The built-in metrics, computed on the model's raw output (logits for the classification losses)."""

from __future__ import annotations

import numpy as np

from .errors import ShapeError
from .losses import targets_like
from .metric import Metric
from .schema import ParamSpec, schema


class Accuracy(Metric):
    """Fraction of samples classified right.

    ``categorical`` compares the arg-max of the logits with the label (an index, or the arg-max
    of a one-hot row); ``binary`` counts a logit > 0 as class 1 and a target > 0.5 as class 1,
    element-wise. ``auto`` picks binary when the output has a single column, categorical otherwise.
    """

    type_name = "accuracy"
    description = "Fraction of correct predictions (arg-max of the logits, or logit > 0 for binary)."
    tasks = ("classification", "binary")
    schema = schema(
        ParamSpec("mode", "choice", "auto", "how logits become classes",
                  choices=("auto", "categorical", "binary")),
    )

    def __call__(self, pred: np.ndarray, target: np.ndarray) -> float:
        target = np.asarray(target)
        mode = self.config["mode"]
        if mode == "auto":
            mode = "binary" if pred.ndim == 1 or pred.shape[-1] == 1 else "categorical"
        if mode == "binary":
            target = targets_like(self.kind_name(), pred, target)
            return float(np.count_nonzero((pred > 0) == (target > 0.5))) / max(pred.size, 1)
        if target.shape == pred.shape:
            target = target.argmax(axis=-1)
        elif target.shape == pred.shape[:-1] + (1,):
            target = target[..., 0]
        if target.shape != pred.shape[:-1]:
            raise ShapeError(
                f"accuracy: targets must be labels of shape {pred.shape[:-1]} or one-hot of shape "
                f"{pred.shape}. Received targets of shape {target.shape}"
            )
        return float(np.count_nonzero(pred.argmax(axis=-1) == target)) / max(target.size, 1)


class MeanAbsoluteErrorMetric(Metric):
    type_name = "mae"
    description = "Mean absolute error: the average of |prediction - target|."
    tasks = ("regression",)
    higher_is_better = False

    def __call__(self, pred: np.ndarray, target: np.ndarray) -> float:
        diff = pred - targets_like(self.kind_name(), pred, target)
        return float(np.abs(diff).sum()) / max(diff.size, 1)


class R2Score(Metric):
    """Coefficient of determination, 1 - SS_res / SS_tot, per output column, then averaged.

    A constant target column scores 1.0 when predicted exactly and 0.0 otherwise (as scikit-learn
    does), so the value is always finite.
    """

    type_name = "r2"
    description = "R^2: the share of the targets' variance the model explains (1 is perfect)."
    tasks = ("regression",)

    def __call__(self, pred: np.ndarray, target: np.ndarray) -> float:
        target = targets_like(self.kind_name(), pred, target)
        flat_pred = pred.reshape(len(pred), -1).astype(np.float64)
        flat_target = target.reshape(len(target), -1).astype(np.float64)
        residual = ((flat_target - flat_pred) ** 2).sum(axis=0)
        total = ((flat_target - flat_target.mean(axis=0)) ** 2).sum(axis=0)
        scores = np.where(residual == 0, 1.0, 0.0)
        varying = total > 0
        scores[varying] = 1.0 - residual[varying] / total[varying]
        return float(scores.mean())


BUILTIN_METRICS: tuple[type[Metric], ...] = (Accuracy, MeanAbsoluteErrorMetric, R2Score)
