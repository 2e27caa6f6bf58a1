"""Looking inside a model: what every node outputs for an input, the point map of a node's outputs
over many samples, and the weights of one unit of a Dense layer, edited and measured.

Inputs are scaled exactly as in training (``predict.scale_inputs``). Plain NumPy: the probe lab
only draws what these return.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.images import image_layout
from ..engine.graph import Input, Model
from ..engine.layers.dense import Dense
from ..engine.loss import Loss
from .predict import BATCH, Predictions, as_predictions, predict, require_finite, scale_inputs
from .weights import Preprocessing


@dataclass(frozen=True)
class Probe:
    """The prediction for some samples, and every node's output for them by name (model order;
    the Input node's is the scaled input)."""

    predictions: Predictions
    activations: dict[str, np.ndarray]


def probe(model: Model, loss: Loss, preprocessing: Preprocessing, x: np.ndarray, source: str) -> Probe:
    """``x`` (unscaled, as in the dataset) through the model in inference mode, every node kept."""
    scaled = scale_inputs(model, preprocessing, x, source)
    model.require_memory(len(scaled))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # found below and named
        activations = model.activations(scaled, training=False)
        outputs = np.asarray(loss.predict(activations[model.output_names[0]]))
    require_finite(outputs, model, source)
    return Probe(as_predictions(outputs, loss, preprocessing.class_names), activations)


def node_outputs(
    model: Model, preprocessing: Preprocessing, x: np.ndarray, node: str, source: str
) -> np.ndarray:
    """``node``'s output for every sample of ``x`` (unscaled), batch by batch."""
    scaled = scale_inputs(model, preprocessing, x, source)
    model.require_memory(min(BATCH, len(scaled)))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # copied per batch: a layer may hand back the same buffer on its next call
        return np.concatenate([np.array(model.activations(scaled[start:start + BATCH])[node])
                               for start in range(0, len(scaled), BATCH)])


# --- the point map -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PointMap:
    """Samples projected on the two principal axes of their activations (float64, (N, 2));
    ``explained``: the share of the variance along each axis."""

    coords: np.ndarray
    explained: tuple[float, float]


def principal_projection(values: np.ndarray) -> PointMap:
    """PCA by SVD of the centred activations (one row per sample, flattened). Each axis's sign is
    fixed (its largest loading positive) so a refreshed map does not flip for no reason; fewer than
    two axes (one feature) leave the missing coordinate at 0."""
    flat = values.reshape(len(values), -1).astype(np.float64)
    centred = flat - flat.mean(axis=0)
    _, singular, axes = np.linalg.svd(centred, full_matrices=False)
    axes = axes[:2]
    largest = axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)]
    axes = axes * np.where(largest < 0, -1.0, 1.0)[:, None]
    coords = np.zeros((len(flat), 2))
    coords[:, :len(axes)] = centred @ axes.T
    variance = singular ** 2
    total = variance.sum()
    shares = variance[:2] / total if total > 0 else np.zeros(len(variance[:2]))
    shares = np.pad(shares, (0, 2 - len(shares)))
    return PointMap(coords, (float(shares[0]), float(shares[1])))


# --- units of Dense layers -----------------------------------------------------------------------------
def dense_nodes(model: Model) -> list[str]:
    """The nodes whose units the lab can show and edit (Dense layers), in model order."""
    return [name for name in model.order if isinstance(model.layers[name], Dense)]


def incoming_weights(model: Model, node: str, unit: int) -> np.ndarray:
    """A copy of the kernel column that feeds ``unit`` of the Dense layer ``node``."""
    return model.layers[node].params["kernel"][:, unit].copy()


def pixel_layout(model: Model, node: str) -> tuple[int, int, int] | None:
    """(channels, H, W) when the Dense layer ``node`` reads the input image's pixels one for one
    (only parameter-free layers that keep the size, such as Flatten, between): its incoming weights
    are then a picture."""
    fan_in = model.layers[node].params["kernel"].shape[0]
    source = model.specs[node].inputs[0]
    while not isinstance(model.layers[source], Input):
        inputs = model.specs[source].inputs
        if len(inputs) != 1 or model.layers[source].params or int(np.prod(model.shapes[source])) != fan_in:
            return None
        source = inputs[0]
    layout = image_layout(model.shapes[source])
    return layout if layout is not None and int(np.prod(layout)) == fan_in else None


def layer_weights(model: Model, node: str) -> dict[str, np.ndarray]:
    """Copies of ``node``'s parameters by name."""
    return {name: array.copy() for name, array in model.layers[node].params.items()}


def set_layer_weights(model: Model, node: str, weights: dict[str, np.ndarray]) -> None:
    """Write ``weights`` (as ``layer_weights`` returns them) into ``node``'s parameters in place."""
    for name, array in weights.items():
        model.layers[node].params[name][...] = array


def zeroed_unit(model: Model, node: str, unit: int) -> dict[str, np.ndarray]:
    """``node``'s parameters with ``unit``'s incoming weights and bias set to 0: the unit then
    outputs 0 for every input."""
    weights = layer_weights(model, node)
    weights["kernel"][:, unit] = 0
    if "bias" in weights:
        weights["bias"][unit] = 0
    return weights


def scaled_layer(model: Model, node: str, factor: float) -> dict[str, np.ndarray]:
    """``node``'s parameters (kernel and bias) multiplied by ``factor``."""
    return {name: array * array.dtype.type(factor) for name, array in layer_weights(model, node).items()}


def accuracy(model: Model, loss: Loss, preprocessing: Preprocessing, x: np.ndarray, labels: np.ndarray,
             source: str) -> float | None:
    """The share of ``x``'s samples whose predicted class is their label (None for regression)."""
    predictions = predict(model, loss, preprocessing, x, source)
    if predictions.labels is None or len(labels) == 0:
        return None
    return float(np.mean(predictions.labels == labels))
