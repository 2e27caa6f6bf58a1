"""From a Dataset to training arrays: a seeded validation split, scaling fitted on the training
split only (so validation data never leaks into it), and targets shaped for the loss and model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.errors import ConfigError
from ..engine.fit_data import split_indices
from ..engine.loss import Task
from ..engine.target_fit import TargetForm, TargetMismatch, encoded_labels, target_layout
from .dataset import Dataset
from .errors import DataError
from .ranges import cast_in_range, sample_feature

SCALINGS = ("none", "standardize", "minmax")


@dataclass(frozen=True)
class Scaler:
    """``(x - offset) / scale`` per feature (per pixel for images), fitted on training samples.

    Kept and applied in float64: min-max over values near float32's limit (±3.4e38) spans more
    than float32 holds, and the scaled result of such values still fits it.
    """

    offset: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, method: str, x: np.ndarray) -> Scaler:
        """Standardize (mean 0, std 1), min-max (to [0, 1]) or identity; constant features keep scale 1."""
        if method not in SCALINGS:
            raise DataError(f"scaling must be one of {list(SCALINGS)}. Received: {method!r}")
        shape = x.shape[1:]
        if method == "none":
            return cls(np.zeros(shape), np.ones(shape))
        x64 = x.astype(np.float64)
        if method == "standardize":
            offset, spread = x64.mean(axis=0), x64.std(axis=0)
        else:
            offset, spread = x64.min(axis=0), x64.max(axis=0) - x64.min(axis=0)
        spread[spread == 0.0] = 1.0
        return cls(offset, spread)

    def transform(self, x: np.ndarray, dtype: np.dtype | str = np.float32, source: str = "") -> np.ndarray:
        """Scaled copy of ``x`` in ``dtype``; ``x`` must have the fitted sample shape. A sample that
        scales beyond ``dtype``'s range raises DataError naming it (``source``: whose samples)."""
        if x.shape[1:] != self.offset.shape:
            raise DataError(
                f"the scaler was fitted on samples of shape {self.offset.shape}. "
                f"Received samples of shape {x.shape[1:]}"
            )
        with np.errstate(over="ignore"):  # overflow is found below and named
            scaled = (x.astype(np.float64) - self.offset) / self.scale
        prefix = f"{source}: " if source else ""
        return cast_in_range(scaled, dtype, sample_feature(prefix, " once scaled as in training"),
                             "such an input is far outside the data the model was trained on")

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"offset": self.offset, "scale": self.scale}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], where: str) -> Scaler:
        if set(arrays) != {"offset", "scale"} or arrays["offset"].shape != arrays["scale"].shape:
            raise DataError(
                f"{where}: expected arrays 'offset' and 'scale' of one shape. "
                f"Received: { {k: v.shape for k, v in arrays.items()} }"
            )
        finite = np.isfinite(arrays["offset"]).all() and np.isfinite(arrays["scale"]).all()
        if not (finite and np.all(arrays["scale"] > 0)):
            raise DataError(f"{where}: the scale must be positive and both must be finite")
        return cls(arrays["offset"].astype(np.float64), arrays["scale"].astype(np.float64))


@dataclass
class PreparedData:
    """Arrays ready for the trainer; ``x_val``/``y_val`` are None without a validation split."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    scaler: Scaler
    dataset: Dataset
    train_indices: np.ndarray
    val_indices: np.ndarray


def fit_scaler(
    dataset: Dataset, validation_split: float, seed: int, scaling: str
) -> tuple[Scaler, np.ndarray, np.ndarray]:
    """The seeded split (the engine's, as ``Trainer.fit`` draws it) and a scaler fitted on its
    training indices only: (scaler, train, val)."""
    try:
        train, val = split_indices(len(dataset), validation_split, seed)
    except ConfigError as error:
        raise DataError(str(error), setting="validation_split") from None
    return Scaler.fit(scaling, dataset.x[train]), train, val


def format_targets(
    y: np.ndarray, dataset: Dataset, loss_task: Task, output_shape: tuple[int, ...], one_hot: bool,
    dtype: np.dtype | str = np.float32,
) -> np.ndarray:
    """Targets as the loss expects them for a model with ``output_shape``, or a DataError saying why not
    and naming the setting to change (``loss`` or ``output_shape``).

    Whether they fit is the engine's one target check (``target_layout``); here class labels are
    only converted to the layout it chose (one-hot rows on request for a classification loss).
    """
    dtype = np.dtype(dtype)
    classes = len(dataset.class_names)
    form = TargetForm.labels(classes) if classes else TargetForm.values(dataset.target_shape)
    try:
        layout = target_layout(form, loss_task, tuple(output_shape), f"dataset '{dataset.name}'")
    except TargetMismatch as error:
        raise DataError(str(error), setting=error.part) from None
    if layout == "values":
        return y.astype(dtype)
    if one_hot and layout == "labels":
        layout = "one_hot"
    return encoded_labels(y, layout, tuple(output_shape), dtype)


def split_and_scale(
    dataset: Dataset,
    *,
    loss_task: Task,
    output_shape: tuple[int, ...],
    validation_split: float = 0.0,
    seed: int = 0,
    scaling: str = "none",
    one_hot: bool = False,
    dtype: np.dtype | str = np.float32,
) -> PreparedData:
    """Split, fit the scaler on the training part, scale both parts and shape the targets for the loss."""
    scaler, train, val = fit_scaler(dataset, validation_split, seed, scaling)
    y = format_targets(dataset.y, dataset, loss_task, tuple(output_shape), one_hot, dtype)
    has_val = len(val) > 0
    return PreparedData(
        x_train=scaler.transform(dataset.x[train], dtype),
        y_train=y[train],
        x_val=scaler.transform(dataset.x[val], dtype) if has_val else None,
        y_val=y[val] if has_val else None,
        scaler=scaler,
        dataset=dataset,
        train_indices=train,
        val_indices=val,
    )
