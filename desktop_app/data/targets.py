"""Turn raw target values (numbers or category names) into class labels or regression values."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..engine.schema import ParamSpec
from .errors import DataError
from .ranges import FLOAT32_ADVICE, cast_in_range

TargetTask = Literal["auto", "classification", "regression"]
TARGET_TASKS: tuple[str, ...] = ("auto", "classification", "regression")
# The option every file import offers for choosing how its targets are read.
TASK_OPTION = ParamSpec("task", "choice", "auto",
                        "auto: text or whole-number targets are classes, other numbers are regression",
                        choices=TARGET_TASKS)


def encode_targets(values: np.ndarray, task: TargetTask, where: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Labels and class names for classification, float values and () for regression.

    ``auto`` treats text and whole numbers as classes and any other numbers as regression values.
    Class labels follow the sorted order of the distinct values, so numeric labels 0..K-1 keep
    their meaning. ``where`` names the source in errors (file and column).
    """
    values = np.asarray(values)
    if task not in TARGET_TASKS:
        raise DataError(f"{where}: task must be one of {list(TARGET_TASKS)}. Received: {task!r}")
    numeric = np.issubdtype(values.dtype, np.number) or values.dtype == np.bool_
    if not numeric and values.dtype.kind not in "US":
        raise DataError(f"{where}: targets must be numbers or text. Received dtype {values.dtype}")
    if values.ndim == 2 and numeric:
        return _two_dimensional(values, task, where)
    if values.ndim != 1:
        raise DataError(f"{where}: targets must be shaped (N,) or (N, k). Received shape {values.shape}")
    if task == "regression" and not numeric:
        raise DataError(f"{where}: regression targets must be numbers. Received text such as {values[0]!r}")
    if task == "regression" or (task == "auto" and numeric and not _whole(values)):
        return _float32_targets(values, where).reshape(-1, 1), ()
    return _classes(values, numeric, where)


def _whole(values: np.ndarray) -> bool:
    if np.issubdtype(values.dtype, np.integer) or values.dtype == np.bool_:
        return True
    finite = np.isfinite(values)
    return bool(finite.all() and np.all(values == np.round(values)))


def _classes(values: np.ndarray, numeric: bool, where: str) -> tuple[np.ndarray, tuple[str, ...]]:
    if numeric:
        if not np.isfinite(values.astype(np.float64)).all():
            row = int(np.argmax(~np.isfinite(values.astype(np.float64))))
            raise DataError(f"{where}: target {row} is NaN or infinite. Received: {values[row]}")
        if not _whole(values):
            row = int(np.argmax(values != np.round(values)))
            raise DataError(f"{where}: class targets must be whole numbers or text. "
                            f"Received: {values[row]} (target {row})")
    names, labels = np.unique(values, return_inverse=True)
    if len(names) < 2:
        raise DataError(f"{where}: classification needs at least 2 classes. Received only {names.tolist()}")
    class_names = tuple(_label_name(name, numeric) for name in names)
    return labels.astype(np.int64).reshape(-1), class_names


def _label_name(value: object, numeric: bool) -> str:
    return str(int(value)) if numeric else str(value)


def _two_dimensional(values: np.ndarray, task: TargetTask, where: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """(N, k) targets: regression values, or one-hot rows when classification is asked for."""
    if task != "classification":
        return _float32_targets(values, where), ()
    one_hot = np.isin(values, (0, 1)).all() and np.all(values.sum(axis=1) == 1)
    if not one_hot or values.shape[1] < 2:
        raise DataError(
            f"{where}: 2-D class targets must be one-hot rows (a single 1 per row). "
            f"Received shape {values.shape}"
        )
    return np.argmax(values, axis=1).astype(np.int64), tuple(str(i) for i in range(values.shape[1]))


def _float32_targets(values: np.ndarray, where: str) -> np.ndarray:
    def target(position: tuple[int, ...]) -> str:
        return f"{where}: target {position[0]}"

    return cast_in_range(values, np.float32, target, FLOAT32_ADVICE)
