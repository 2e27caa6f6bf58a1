"""The stable formulas that layers, losses and plugins share: sigmoid, softmax and log-softmax.

Each takes exp only of numbers <= 0, so nothing overflows, and none subtracts two nearly equal
numbers, so small results keep their relative accuracy instead of rounding to 0. Results keep the
input's float dtype. Plugin authors should use these rather than write their own (docs/plugins.md).
"""

from __future__ import annotations

import numpy as np


def sigmoid_pair(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sigmoid(x), sigmoid(−x)), both accurate: 1 − sigmoid(x) by subtraction is 0 once sigmoid(x)
    rounds to 1, which would zero the derivative sigmoid(x)·sigmoid(−x) for large x.

    With z = exp(−|x|) <= 1 the two values are 1 / (1 + z) and z / (1 + z), by the sign of x.
    """
    z = np.exp(-np.abs(x))
    large = 1.0 / (1.0 + z)
    small = z * large
    positive = x >= 0
    return np.where(positive, large, small), np.where(positive, small, large)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(−x)), accurate to the last digits for any x (see ``sigmoid_pair``)."""
    return sigmoid_pair(x)[0]


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(x) / Σ exp(x) along ``axis``, shifted by the maximum first so exp cannot overflow."""
    y = x - x.max(axis=axis, keepdims=True)
    np.exp(y, out=y)
    y /= y.sum(axis=axis, keepdims=True)
    return y


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log softmax(x) as (x − max) − log Σ exp(x − max): finite even where softmax underflows to 0."""
    shifted = x - x.max(axis=axis, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted
