"""Predictions from trained weights: inputs scaled as in training, outputs turned into
probabilities and class names for classifiers, values for regression."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.errors import DataError
from ..engine.graph import Model
from ..engine.loss import Loss
from .weights import Preprocessing

BATCH = 1024


@dataclass(frozen=True)
class Predictions:
    """``probabilities`` (N, classes) and ``labels`` (N,) for classifiers; ``values`` for regression."""

    class_names: tuple[str, ...]
    probabilities: np.ndarray | None = None
    labels: np.ndarray | None = None
    values: np.ndarray | None = None

    @property
    def is_classification(self) -> bool:
        return self.probabilities is not None

    def label_names(self) -> list[str]:
        """The predicted class of each sample by name (empty for regression)."""
        return [] if self.labels is None else [self.class_names[i] for i in self.labels]


def shape_samples(x: np.ndarray, sample_shape: tuple[int, ...], source: str) -> np.ndarray:
    """``x`` as (N, *sample_shape); flat rows are reshaped when their size matches (CSV images)."""
    x = np.asarray(x)
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
        raise DataError(f"{source}: inputs must be numbers. Received dtype {x.dtype}")
    if x.ndim >= 1 and x.shape[1:] == sample_shape:
        return x
    size = int(np.prod(sample_shape))
    if (x.ndim == 2 and x.shape[1] == size) or (x.ndim == 1 and size == 1):
        return x.reshape(-1, *sample_shape)
    raise DataError(
        f"{source}: the model takes samples of shape {sample_shape} ({size} values each). "
        f"Received inputs of shape {x.shape}"
    )


def predict(
    model: Model, loss: Loss, preprocessing: Preprocessing, x: np.ndarray, source: str
) -> Predictions:
    """Run ``x`` (unscaled, as in the dataset) through the model in inference mode."""
    scaled = scale_inputs(model, preprocessing, x, source)
    model.require_memory(min(BATCH, len(scaled)))
    return as_predictions(_run(model, loss, scaled, source), loss, preprocessing.class_names)


def scale_inputs(model: Model, preprocessing: Preprocessing, x: np.ndarray, source: str) -> np.ndarray:
    """``x`` (unscaled, as in the dataset) shaped for the model and scaled exactly as in training;
    DataError for no samples, or a NaN or infinite input (named)."""
    x = shape_samples(x, model.input_shape, source)
    if len(x) == 0:
        raise DataError(f"{source}: there are no samples to predict")
    finite = np.isfinite(x.astype(np.float64))
    if not finite.all():
        sample, *feature = (int(i) for i in np.argwhere(~finite)[0])
        where = feature[0] if len(feature) == 1 else tuple(feature)
        raise DataError(f"{source}: sample {sample} (0-based), feature {where}: NaN or infinite inputs have "
                        f"no prediction; fix or remove the sample. Received: {x[(sample, *feature)]}")
    return preprocessing.scaler.transform(x, model.dtype, source)


def as_predictions(outputs: np.ndarray, loss: Loss, class_names: tuple[str, ...]) -> Predictions:
    """The loss's predictions (``loss.predict`` of the network's outputs) as probabilities and labels
    for a classifier, values for regression."""
    if loss.task == "regression" or not class_names:
        return Predictions(class_names, values=outputs)
    if widens_to_two_columns(outputs.shape[1:], class_names):
        outputs = np.concatenate([1.0 - outputs, outputs], axis=1)
    return Predictions(class_names, probabilities=outputs, labels=outputs.argmax(axis=1))


def widens_to_two_columns(output_shape: tuple[int, ...], class_names: tuple[str, ...]) -> bool:
    """Whether a classifier's outputs are one sigmoid column for two classes, which ``predict``
    widens to both, ``[1 - p, p]``; DataError when they fit the class names neither so nor as they are."""
    widen = output_shape == (1,) and len(class_names) == 2
    if not widen and output_shape != (len(class_names),):
        raise DataError(
            f"the model outputs shape {output_shape} but its weights were trained on "
            f"{len(class_names)} classes {list(class_names)}"
        )
    return widen


def _run(model: Model, loss: Loss, scaled: np.ndarray, source: str) -> np.ndarray:
    """The loss's predictions batch by batch; a sample whose output is not finite raises DataError."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # found below and named
        outputs = np.concatenate([
            np.asarray(loss.predict(model.forward(scaled[start:start + BATCH], training=False)))
            for start in range(0, len(scaled), BATCH)
        ])
    require_finite(outputs, model, source)
    return outputs


def require_finite(outputs: np.ndarray, model: Model, source: str) -> None:
    """DataError naming the first sample whose output is NaN or infinite."""
    finite = np.isfinite(outputs.reshape(len(outputs), -1)).all(axis=1)
    if not finite.all():
        sample = int(np.argmin(finite))
        raise DataError(
            f"{source}: sample {sample} (0-based): the network's output is NaN or infinite (a value "
            f"overflowed {model.dtype} inside the network), so it has no prediction "
            f"({np.count_nonzero(~finite)} of {len(finite)} samples are affected)"
        )
