"""The built-in losses: forward returns the batch mean, backward its gradient w.r.t. the predictions.

Regression losses average over every element. The logit losses (binary and categorical
cross-entropy) take raw scores and fold the sigmoid / softmax into the loss, which keeps them
finite for any logits and makes the gradient simply ``probabilities - targets``.
"""

from __future__ import annotations

import numpy as np

from .errors import ShapeError
from .loss import Loss
from .numerics import log_softmax, sigmoid, softmax
from .schema import ParamSpec, schema


def targets_like(owner: str, pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``target`` as an array of ``pred``'s shape and dtype, or a ShapeError naming ``owner``.

    A target lacking only the trailing 1 of a single-column output, (N,) for (N, 1), is reshaped.
    """
    target = np.asarray(target)
    if target.shape != pred.shape:
        if target.ndim == pred.ndim - 1 and pred.shape[-1] == 1 and target.shape == pred.shape[:-1]:
            target = target.reshape(pred.shape)
        else:
            raise ShapeError(
                f"{owner}: targets must have the predictions' shape {pred.shape}. "
                f"Received targets of shape {target.shape}"
            )
    return target if target.dtype == pred.dtype else target.astype(pred.dtype)


class _ResidualLoss(Loss):
    """A regression loss of the residual d = pred - target, averaged over every element.

    Subclasses give the summed loss of ``d`` and its derivative; the mean is taken here.
    """

    task = "regression"

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        self._diff = pred - targets_like(self.kind_name(), pred, target)
        return self.total(self._diff) / self._diff.size

    def backward(self) -> np.ndarray:
        grad = self.derivative(self._diff)
        grad *= 1.0 / self._diff.size
        return grad

    def total(self, diff: np.ndarray) -> float:
        raise NotImplementedError

    def derivative(self, diff: np.ndarray) -> np.ndarray:
        """d(total)/d(diff) as a new array (backward scales it in place)."""
        raise NotImplementedError


class MeanSquaredError(_ResidualLoss):
    type_name = "mse"
    formula = "L = (1/n)·Σ(ŷ − t)²,  dL/dŷ = 2·(ŷ − t)/n  (n: every element)"
    description = "Mean squared error: the average of (prediction - target)^2."

    def total(self, diff: np.ndarray) -> float:
        return float(np.vdot(diff, diff))

    def derivative(self, diff: np.ndarray) -> np.ndarray:
        return diff * 2.0


class MeanAbsoluteError(_ResidualLoss):
    type_name = "mae"
    formula = "L = (1/n)·Σ|ŷ − t|,  dL/dŷ = sign(ŷ − t)/n  (n: every element)"
    description = "Mean absolute error: the average of |prediction - target|; robust to outliers."

    def total(self, diff: np.ndarray) -> float:
        return float(np.abs(diff).sum())

    def derivative(self, diff: np.ndarray) -> np.ndarray:
        return np.sign(diff)


class Huber(_ResidualLoss):
    type_name = "huber"
    formula = ("L = (1/n)·Σh(ŷ − t) with h(d) = d²/2 for |d| ≤ δ, δ·(|d| − δ/2) beyond,  "
               "dL/dŷ = clip(ŷ − t, −δ, δ)/n  (n: every element)")
    description = "Huber loss: squared error for small errors, absolute error beyond delta."
    schema = schema(
        ParamSpec("delta", "float", 1.0,
                  "errors larger than this count linearly, not squared, so outliers pull less",
                  minimum=1e-12),
    )

    def total(self, diff: np.ndarray) -> float:
        # 0.5*d^2 inside delta and delta*(|d| - delta/2) outside, i.e. 0.5*s^2 + delta*(|d| - s)
        # with s = min(|d|, delta)
        delta = self.config["delta"]
        excess = np.abs(diff)
        small = np.minimum(excess, delta)
        excess -= small
        return 0.5 * float(np.vdot(small, small)) + delta * float(excess.sum())

    def derivative(self, diff: np.ndarray) -> np.ndarray:
        delta = self.config["delta"]
        return np.clip(diff, -delta, delta)


class BinaryCrossentropy(Loss):
    """Sigmoid cross-entropy averaged over every element: for (N, K) outputs the loss and its
    gradient (sigmoid(pred) − target) / (N·K) are divided by N·K, not by N, as PyTorch's
    ``BCEWithLogitsLoss`` does."""

    type_name = "binary_crossentropy"
    formula = ("L = (1/n)·Σ −t·log σ(ŷ) − (1 − t)·log(1 − σ(ŷ)),  dL/dŷ = (σ(ŷ) − t)/n  "
               "(n: every element)")
    description = "Binary cross-entropy on logits (sigmoid folded in); targets 0/1 shaped like the output."
    task = "binary"

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        target = targets_like(self.kind_name(), pred, target)
        # log(1 + e^-|z|) + max(z, 0) - z*t: the stable form of -t*log(s) - (1-t)*log(1-s)
        terms = np.log1p(np.exp(-np.abs(pred)))
        terms += np.maximum(pred, 0)
        terms -= pred * target
        self._pred, self._target = pred, target
        return float(terms.sum()) / pred.size

    def backward(self) -> np.ndarray:
        grad = self.predict(self._pred)
        grad -= self._target
        grad *= 1.0 / grad.size
        return grad

    def predict(self, output: np.ndarray) -> np.ndarray:
        """Sigmoid probabilities."""
        return sigmoid(output)


class CategoricalCrossentropy(Loss):
    """Softmax cross-entropy averaged over the N samples: gradient (softmax(pred) − target) / N."""

    type_name = "categorical_crossentropy"
    formula = "L = −(1/N)·Σᵢ Σ_c t_ic·log softmax(ŷᵢ)_c,  dL/dŷ = (softmax(ŷ) − t)/N  (N: samples)"
    description = "Softmax cross-entropy on logits; targets are class indices (N,) or one-hot (N, C)."
    task = "classification"

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        if pred.ndim != 2:
            raise ShapeError(
                f"{self.kind_name()}: expects logits of shape (batch, classes). "
                f"Received predictions of shape {pred.shape}"
            )
        target = np.asarray(target)
        log_probs = log_softmax(pred, axis=1)
        count = pred.shape[0]
        if target.shape == pred.shape:
            target = target if target.dtype == pred.dtype else target.astype(pred.dtype)
            total = -float(np.vdot(target, log_probs))
        else:
            labels = class_labels(self.kind_name(), target, pred.shape)
            rows = np.arange(count)
            total = -float(log_probs[rows, labels].sum())
            target = (rows, labels)
        self._probs, self._target = np.exp(log_probs), target
        return total / count

    def backward(self) -> np.ndarray:
        grad = self._probs.copy()
        if isinstance(self._target, tuple):
            grad[self._target] -= 1
        else:
            grad -= self._target
        grad *= 1.0 / grad.shape[0]
        return grad

    def predict(self, output: np.ndarray) -> np.ndarray:
        """Softmax probabilities per row."""
        return softmax(output, axis=-1)


def class_labels(owner: str, target: np.ndarray, pred_shape: tuple[int, ...]) -> np.ndarray:
    """Integer class labels in [0, C) for logits of shape (N, C), or a ShapeError naming ``owner``.

    Labels may come as (N,) or (N, 1), as integers or as whole-valued floats.
    """
    count, classes = pred_shape
    if target.shape == (count, 1):
        target = target.reshape(count)
    if target.shape != (count,):
        raise ShapeError(
            f"{owner}: targets must be class indices of shape ({count},) or one-hot of shape "
            f"{pred_shape}. Received targets of shape {target.shape}"
        )
    target = whole_labels(owner, target)
    if target.size == 0:
        return target
    low, high = int(target.min()), int(target.max())
    if low < 0 or high >= classes:
        bad = low if low < 0 else high
        raise ShapeError(
            f"{owner}: class indices must lie in [0, {classes - 1}] for {classes} outputs. "
            f"Received label {bad}"
        )
    return target


def whole_labels(owner: str, target: np.ndarray) -> np.ndarray:
    """Class labels as integers: integer targets as they are, whole-valued floats cast, or a
    ShapeError naming ``owner`` for fractional values."""
    if target.dtype.kind in "iub":
        return target.astype(np.intp, copy=False)
    if not np.array_equal(target, np.round(target)):
        raise ShapeError(
            f"{owner}: class indices must be whole numbers. Received dtype {target.dtype} "
            "with fractional values"
        )
    return target.astype(np.intp)


BUILTIN_LOSSES: tuple[type[Loss], ...] = (
    MeanSquaredError,
    MeanAbsoluteError,
    Huber,
    BinaryCrossentropy,
    CategoricalCrossentropy,
)
