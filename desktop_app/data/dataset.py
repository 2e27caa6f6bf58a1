"""A Dataset: checked samples and targets, ready to be split, scaled and trained on.

Samples ``x`` are float32 with the batch first, ``(N, *sample_shape)``. Targets ``y`` are integer
class labels ``(N,)`` (classification: ``class_names`` names them) or float32 values ``(N, k)``
(regression: ``class_names`` is empty). The task follows from the targets: two classes make a
``binary`` task, more a ``classification`` one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..engine.loss import Task
from .errors import DataError
from .ranges import FLOAT32_ADVICE, cast_in_range, sample_feature


@dataclass
class Dataset:
    """Samples and targets that passed every check the engine relies on (shapes, finiteness, labels)."""

    x: np.ndarray
    y: np.ndarray
    name: str
    class_names: tuple[str, ...] = ()
    feature_names: tuple[str, ...] = ()
    description: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.class_names = tuple(str(c) for c in self.class_names)
        self.feature_names = tuple(str(f) for f in self.feature_names)
        self.x = _checked_samples(self.x, self.name)
        self.y = _checked_targets(self.y, len(self.x), self.class_names, self.name)
        if self.feature_names and (self.x.ndim != 2 or len(self.feature_names) != self.x.shape[1]):
            raise DataError(
                f"dataset '{self.name}': {len(self.feature_names)} feature names for samples of "
                f"shape {self.sample_shape}. Expected one name per feature of flat samples"
            )

    @property
    def task(self) -> Task:
        if not self.class_names:
            return "regression"
        return "binary" if len(self.class_names) == 2 else "classification"

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.x.shape[1:])

    @property
    def target_shape(self) -> tuple[int, ...]:
        """What one target holds: () for a class label, (k,) for k regression values."""
        return tuple(int(d) for d in self.y.shape[1:])

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def subset(self, indices: np.ndarray) -> Dataset:
        """The samples at ``indices`` (a view of the same metadata)."""
        return Dataset(self.x[indices], self.y[indices], self.name, self.class_names,
                       self.feature_names, self.description, dict(self.meta))


def _checked_samples(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x)
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
        raise DataError(f"dataset '{name}': samples must be numeric. Received dtype {x.dtype}")
    if x.ndim < 2:
        raise DataError(
            f"dataset '{name}': samples must be shaped (N, features...). Received shape {x.shape}"
        )
    if x.shape[0] == 0:
        raise DataError(f"dataset '{name}' holds no samples")
    x = cast_in_range(x, np.float32, sample_feature(f"dataset '{name}': "), FLOAT32_ADVICE)
    bad = ~np.isfinite(x)
    if bad.any():
        position = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataError(
            f"dataset '{name}': sample {position[0]} holds a NaN or infinite value at feature "
            f"{position[1:] if len(position) > 2 else position[1]}. Received: {x[position]}"
        )
    return x


def _checked_targets(y: np.ndarray, count: int, class_names: tuple[str, ...], name: str) -> np.ndarray:
    y = np.asarray(y)
    if len(y) != count:
        raise DataError(
            f"dataset '{name}': {count} samples but {len(y)} targets; expected one target per sample"
        )
    if class_names:
        return _checked_labels(y, len(class_names), name)
    if not np.issubdtype(y.dtype, np.number):
        raise DataError(f"dataset '{name}': regression targets must be numbers. Received dtype {y.dtype}")
    y = cast_in_range(y.reshape(count, -1) if y.ndim == 1 else y, np.float32,
                      lambda position: f"dataset '{name}': target {position[0]}", FLOAT32_ADVICE)
    if not np.isfinite(y).all():
        row = int(np.argwhere(~np.isfinite(y))[0][0])
        raise DataError(f"dataset '{name}': target {row} is NaN or infinite. Received: {y[row]}")
    return y


def _checked_labels(y: np.ndarray, classes: int, name: str) -> np.ndarray:
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise DataError(
            f"dataset '{name}': class labels must be integers shaped (N,). "
            f"Received dtype {y.dtype}, shape {y.shape}"
        )
    out_of_range = (y < 0) | (y >= classes)
    if out_of_range.any():
        row = int(np.argmax(out_of_range))
        raise DataError(
            f"dataset '{name}': label {int(y[row])} of sample {row} is not a class index "
            f"0..{classes - 1}"
        )
    return np.ascontiguousarray(y, dtype=np.int64)
