"""The app's metrics and early stopping, on the NumPy arrays of a whole epoch's predictions.

Each metric is the formula of ``desktop_app.engine.metrics`` (computed on the model's raw outputs:
logits for the classification losses); ``EarlyStopping`` is ``desktop_app.engine.early_stopping``.
"""

from __future__ import annotations

import math

import numpy as np


def accuracy(pred: np.ndarray, target: np.ndarray, mode: str) -> float:
    """Binary: a logit > 0 is class 1, a target > 0.5 is; categorical: the arg-max of the logits."""
    if mode == "binary":
        target = target.reshape(pred.shape).astype(pred.dtype)
        return float(np.count_nonzero((pred > 0) == (target > 0.5))) / max(pred.size, 1)
    if target.shape == pred.shape:
        target = target.argmax(axis=-1)
    return float(np.count_nonzero(pred.argmax(axis=-1) == target)) / max(target.size, 1)


def mean_absolute_error(pred: np.ndarray, target: np.ndarray) -> float:
    diff = pred - target.reshape(pred.shape).astype(pred.dtype)
    return float(np.abs(diff).sum()) / max(diff.size, 1)


def r2_score(pred: np.ndarray, target: np.ndarray) -> float:
    """1 - SS_res / SS_tot per output column, averaged; a constant column scores 1 if exact, else 0."""
    target = target.reshape(pred.shape).astype(pred.dtype)
    flat_pred = pred.reshape(len(pred), -1).astype(np.float64)
    flat_target = target.reshape(len(target), -1).astype(np.float64)
    residual = ((flat_target - flat_pred) ** 2).sum(axis=0)
    total = ((flat_target - flat_target.mean(axis=0)) ** 2).sum(axis=0)
    scores = np.where(residual == 0, 1.0, 0.0)
    varying = total > 0
    scores[varying] = 1.0 - residual[varying] / total[varying]
    return float(scores.mean())


def compute(names: list[str], accuracy_mode: str, pred: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """Every metric in ``names`` on one pass's predictions, by name."""
    formulas = {
        "accuracy": lambda: accuracy(pred, target, accuracy_mode),
        "mae": lambda: mean_absolute_error(pred, target),
        "r2": lambda: r2_score(pred, target),
    }
    return {name: formulas[name]() for name in names}


HIGHER_IS_BETTER = {"loss": False, "accuracy": True, "mae": False, "r2": True}


class EarlyStopping:
    """Stop once ``patience`` epochs in a row bring no improvement of ``monitor`` beyond ``min_delta``."""

    def __init__(self, monitor: str, mode: str, patience: int, min_delta: float,
                 restore_best_weights: bool) -> None:
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.restore_best_weights = restore_best_weights
        self.maximize = HIGHER_IS_BETTER[monitor.removeprefix("val_")] if mode == "auto" else mode == "max"
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.best_state: dict | None = None
        self.wait = 0

    def update(self, epoch: int, logs: dict[str, float], state) -> bool:
        """Record an epoch's logs; True when the run should stop. ``state()`` copies the weights."""
        value = logs[self.monitor]
        if self._improves(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_state = state()
            return False
        self.wait += 1
        return self.wait >= self.patience

    def _improves(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.best is None:
            return True
        return value > self.best + self.min_delta if self.maximize else value < self.best - self.min_delta
