"""The data a training run uses: checked and cast once before the first batch, split and shuffled.

Everything here runs per run or per epoch, never per batch: the inputs are cast to the model's
dtype once, targets are checked against the loss's task once, and an epoch's shuffle permutes
the arrays into reused buffers so that batches are plain contiguous slices.
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError, ShapeError
from .graph import Model
from .loss import Loss
from .losses import class_labels, targets_like


def prepare(
    model: Model, loss: Loss, x: np.ndarray, y: np.ndarray, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """``x`` in the model's dtype and ``y`` in the form the loss's task expects, or a named error.

    ``what`` names the data set in messages ("training data", "validation data").
    """
    x, y = np.asarray(x), np.asarray(y)
    input_name = model.input_names[0]
    if x.ndim == 0 or x.shape[1:] != model.input_shape:
        raise ShapeError(
            f"{what}: the model's input '{input_name}' takes samples of shape {model.input_shape}, "
            f"so x must have shape (samples, {', '.join(map(str, model.input_shape))}). "
            f"Received x of shape {x.shape}",
            node=input_name,
        )
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
        raise ConfigError(f"{what}: x must hold numbers. Received dtype {x.dtype}")
    if len(x) == 0:
        raise ConfigError(f"{what}: there are no samples. Received x of shape {x.shape}")
    if y.ndim == 0 or len(y) != len(x):
        raise ShapeError(
            f"{what}: x and y must hold the same number of samples. "
            f"Received {len(x)} inputs and targets of shape {y.shape}"
        )
    x = np.ascontiguousarray(x, dtype=model.dtype)
    _check_finite(x, f"{what}: x")
    return x, _targets(model, loss, y, what)


def _targets(model: Model, loss: Loss, y: np.ndarray, what: str) -> np.ndarray:
    shape = (len(y), *model.output_shape)
    owner = f"{what}: {loss.kind_name()}"
    if loss.task == "classification" and y.shape != shape:
        if len(model.output_shape) != 1:
            raise ShapeError(
                f"{owner} needs a model output of shape (classes,). "
                f"Received output shape {model.output_shape}",
                node=model.output_names[0],
            )
        return np.ascontiguousarray(class_labels(owner, y, shape))
    if not np.issubdtype(y.dtype, np.number):
        raise ConfigError(f"{owner}: targets must be numbers. Received dtype {y.dtype}")
    template = np.broadcast_to(np.zeros((), dtype=model.dtype), shape)
    y = np.ascontiguousarray(targets_like(owner, template, y))
    _check_finite(y, f"{what}: y")
    return y


def _check_finite(array: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(array)
    if bad.any():
        where = np.argwhere(bad)[0]
        raise ConfigError(
            f"{what} holds NaN or infinite values ({int(bad.sum())} in all; the first in sample "
            f"{int(where[0])}): clean or drop them. Received: {array[tuple(where)]!r}"
        )


def split(
    x: np.ndarray, y: np.ndarray, fraction: float, rng: np.random.Generator
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """A random ``fraction`` of the samples held out for validation; both parts keep the data's order."""
    count = len(x)
    held_out = max(1, round(count * fraction))
    if held_out >= count:
        raise ConfigError(
            f"validation_split {fraction} of {count} samples leaves none to train on: "
            f"lower it or add data"
        )
    order = rng.permutation(count)
    val_index, train_index = np.sort(order[:held_out]), np.sort(order[held_out:])
    return (x[train_index], y[train_index]), (x[val_index], y[val_index])


class EpochOrder:
    """Hands out the training arrays once per epoch, permuted into two reused buffers when shuffling."""

    def __init__(self, x: np.ndarray, y: np.ndarray, shuffle: bool, rng: np.random.Generator) -> None:
        self.x, self.y, self.rng = x, y, rng
        self._buffers = (np.empty_like(x), np.empty_like(y)) if shuffle else None

    def next_epoch(self) -> tuple[np.ndarray, np.ndarray]:
        if self._buffers is None:
            return self.x, self.y
        permutation = self.rng.permutation(len(self.x))
        xs, ys = self._buffers
        # mode="clip" lets take write straight into ``out`` (the default mode buffers a copy first).
        np.take(self.x, permutation, axis=0, out=xs, mode="clip")
        np.take(self.y, permutation, axis=0, out=ys, mode="clip")
        return xs, ys
