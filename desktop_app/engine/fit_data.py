"""The data a training run uses: checked and cast once before the first batch, split and shuffled.

The inputs are cast to the model's dtype once and targets are checked against the loss's task
once; shuffling gathers each batch's rows into a reused buffer. ``split_indices`` is the app's
one validation split: ``Trainer.fit(validation_split=...)`` and a project's run (``data.preprocess``)
hold out the same samples for the same seed.
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError, ShapeError
from .graph import Model
from .loss import Loss, Task
from .losses import class_labels, targets_like, whole_labels
from .target_fit import TargetForm, TargetMismatch, encoded_labels, target_layout


def checked_arrays(
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
    """``y`` in the layout ``target_layout`` gives for the form read from it (``read_form``)."""
    owner = f"{what}: {loss.kind_name()}"
    if not (np.issubdtype(y.dtype, np.number) or y.dtype == np.bool_):
        raise ConfigError(f"{owner}: targets must be numbers. Received dtype {y.dtype}")
    _check_finite(y, f"{what}: y")
    form = read_form(y, loss.task, model.output_shape)
    if form.kind == "labels":
        y = whole_labels(owner, y.reshape(len(y)))
    try:
        layout = target_layout(form, loss.task, model.output_shape, f"{what} ({loss.kind_name()})")
    except TargetMismatch as error:
        if error.part == "output_shape":
            error.node = model.output_names[0]
        raise
    if layout == "values":
        template = np.broadcast_to(np.zeros((), dtype=model.dtype), (len(y), *model.output_shape))
        y = np.ascontiguousarray(targets_like(owner, template, y))
        _check_finite(y, f"{what}: y")  # again: a float64 target may overflow the model's dtype
        return y
    classes = 2 if layout == "column" else model.output_shape[0]
    labels = class_labels(owner, y, (len(y), classes))
    return np.ascontiguousarray(encoded_labels(labels, layout, model.output_shape, model.dtype))


def read_form(y: np.ndarray, task: Task, output_shape: tuple[int, ...]) -> TargetForm:
    """What raw targets hold, as far as an array tells: integers (N,) or (N, 1) are class labels
    (for a classification loss, so are whole-valued floats not shaped like the output), counted by
    the highest label; other targets are regression values for a regression loss, else one-hot
    rows or 0/1 columns."""
    per_sample = y.shape[1:]
    integral = y.dtype.kind in "iub" or (task == "classification" and per_sample != tuple(output_shape))
    if per_sample in ((), (1,)) and integral:
        return TargetForm.labels(max(int(y.max()), 0) + 1, only_seen=True)
    return TargetForm.values(per_sample) if task == "regression" else TargetForm.encoded(per_sample)


def _check_finite(array: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(array)
    if bad.any():
        where = np.argwhere(bad)[0]
        raise ConfigError(
            f"{what} holds NaN or infinite values ({int(bad.sum())} in all; the first in sample "
            f"{int(where[0])}): clean or drop them. Received: {array[tuple(where)]!r}"
        )


def check_fraction(fraction: float) -> None:
    """A ConfigError unless ``fraction`` is a validation split: a number in [0, 1)."""
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0.0 <= fraction < 1.0:
        raise ConfigError(f"validation_split must be in [0, 1). Received: {fraction!r}")


def split_indices(count: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training, validation) indices: a random ``fraction`` of ``range(count)`` held out, drawn from
    ``seed``; any fraction above 0 holds out at least one sample. Both parts are sorted, so they
    keep the data's order."""
    check_fraction(fraction)
    held_out = max(1, round(count * fraction)) if fraction > 0 else 0
    if held_out >= count:
        raise ConfigError(f"a validation split of {fraction} leaves no training samples out of {count}")
    order = np.random.default_rng(seed).permutation(count)
    return np.sort(order[held_out:]), np.sort(order[:held_out])


def shuffle_generator(seed: int) -> np.random.Generator:
    """The generator ``fit(seed=...)`` shuffles with: the seed's second child stream, so a seed
    shuffles as it did when the first drew the validation split."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])


def batch_rows(count: int, batch_size: int, shuffle: bool, seed: int, epoch: int, batch: int) -> np.ndarray:
    """The rows of the training data that batch ``batch`` of epoch ``epoch`` (both from 1) of
    ``fit(seed=seed)`` trains on: what ``EpochOrder`` hands out, drawn again from the seed."""
    order = np.arange(count)
    if shuffle:
        rng = shuffle_generator(seed)
        for _ in range(epoch):
            order = rng.permutation(count)
    start = (batch - 1) * batch_size
    return order[start:start + batch_size]


class EpochOrder:
    """Hands out an epoch's batches in a seeded random order without copying the data whole.

    With shuffling, each batch's rows are gathered into one reused buffer of ``batch_size`` rows:
    small enough to stay in cache for the first layer's matrix multiply, and no second copy of a
    large data set in memory. Without shuffling, batches are plain slices of the data.
    """

    def __init__(
        self, x: np.ndarray, y: np.ndarray, shuffle: bool, rng: np.random.Generator, batch_size: int
    ) -> None:
        self.x, self.y, self.rng = x, y, rng
        self._buffer = np.empty((min(batch_size, len(x)), *x.shape[1:]), dtype=x.dtype) if shuffle else None
        self._order: np.ndarray | None = None

    def next_epoch(self) -> np.ndarray:
        """Start an epoch; returns the targets in this epoch's order."""
        if self._buffer is None:
            return self.y
        self._order = self.rng.permutation(len(self.x))
        return self.y[self._order]

    def batch(self, start: int, stop: int) -> np.ndarray:
        """Inputs of the samples at positions ``start:stop`` of this epoch's order."""
        if self._order is None:
            return self.x[start:stop]
        rows = self._buffer[: stop - start]
        # mode="clip" lets take write straight into ``out`` (the default mode buffers a copy first).
        np.take(self.x, self._order[start:stop], axis=0, out=rows, mode="clip")
        return rows
