"""What the plots show beyond the logged numbers, computed from the model between two batches.

Weight and gradient histograms per layer, the decision boundary of a classifier on 2-D data, the
fitted curve of a regression on 1-D data, and the confusion matrix on the validation samples.
All of it runs on the training thread (the model is only consistent between optimizer steps) in
eval mode, through ``project.predict`` so inputs are scaled exactly as in training. Plain NumPy:
no Qt here, the GUI only draws the results. A snapshot looks only at the views asked for (the tabs
on show): a look at the data is a forward pass over the validation samples, which the training
thread would otherwise pay for a tab nobody sees.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

import numpy as np

from ...project.predict import Predictions, predict
from ...project.run import Run

HISTOGRAM_BINS = 40
GRID_SIDE = 96  # decision-boundary grid points per axis
CURVE_POINTS = 200
MARGIN = 0.1  # of the data's range, added on each side of the boundary grid and the curve
MAX_POINTS = 1500  # data points drawn under the boundary or the curve
LAYERS, DATA = "layers", "data"  # the views: histograms per layer; boundary, curve, confusion
VIEWS = frozenset({LAYERS, DATA})


@dataclass(frozen=True)
class Histogram:
    counts: np.ndarray
    edges: np.ndarray


@dataclass(frozen=True)
class Boundary:
    """The predicted class and its probability on a grid over the data (rows follow the y axis)."""

    classes: np.ndarray
    confidence: np.ndarray
    x_range: tuple[float, float]
    y_range: tuple[float, float]


@dataclass(frozen=True)
class Snapshot:
    """One look at the model; a view that does not apply to the data is None. ``views``: what was
    looked at (the other fields are empty or None)."""

    weights: dict[str, Histogram]
    gradients: dict[str, Histogram]
    boundary: Boundary | None
    curve: tuple[np.ndarray, np.ndarray] | None
    confusion: np.ndarray | None
    views: frozenset[str] = VIEWS

    def over(self, older: Snapshot | None) -> Snapshot:
        """This snapshot, with ``older``'s views where this one did not look."""
        if older is None or self.views >= older.views:
            return self
        kept = {}
        if LAYERS not in self.views:
            kept.update(weights=older.weights, gradients=older.gradients)
        if DATA not in self.views:
            kept.update(boundary=older.boundary, curve=older.curve, confusion=older.confusion)
        return replace(self, views=self.views | older.views, **kept)


@dataclass(frozen=True)
class DataPoints:
    """The samples drawn under the boundary or the fitted curve, in the dataset's own units."""

    x: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]


class Probes:
    """Looks at ``run``'s model; which views apply follows from its dataset's shapes and task."""

    def __init__(self, run: Run) -> None:
        self.run = run
        dataset = run.data.dataset
        # class views need class labels and a loss that predicts classes
        self.classes = dataset.class_names if run.loss.task != "regression" else ()
        self.layers = [name for name in run.model.order if run.model.layers[name].params]
        self.has_boundary = bool(self.classes) and dataset.sample_shape == (2,)
        self.has_curve = not self.classes and dataset.sample_shape == (1,) and dataset.target_shape == (1,)
        held_out = run.data.val_indices if len(run.data.val_indices) else run.data.train_indices
        # the confusion matrix uses the validation samples, or the training ones without a split
        self.confusion_set = "validation" if len(run.data.val_indices) else "training"
        self._held_out = (dataset.x[held_out], dataset.y[held_out])
        self._low, self._high = _padded_range(dataset.x) if (self.has_boundary or self.has_curve) else (0, 0)

    def points(self) -> DataPoints | None:
        """The data under the boundary or the curve (a spread subsample), None without either view."""
        if not (self.has_boundary or self.has_curve):
            return None
        dataset = self.run.data.dataset
        step = max(1, -(-len(dataset) // MAX_POINTS))
        return DataPoints(dataset.x[::step], dataset.y[::step], self.classes)

    def snapshot(self, views: Collection[str] = VIEWS) -> Snapshot:
        model = self.run.model
        weights, gradients = {}, {}
        if LAYERS in views:
            for name in self.layers:
                layer = model.layers[name]
                weights[name] = _histogram(list(layer.params.values()))
                gradients[name] = _histogram([grad for grad in layer.grads.values() if grad is not None])
        data = DATA in views
        return Snapshot(
            weights, gradients,
            self._boundary() if data and self.has_boundary else None,
            self._curve() if data and self.has_curve else None,
            self._confusion() if data and self.classes else None,
            frozenset(views) & VIEWS,
        )

    def _predict(self, x: np.ndarray, source: str) -> Predictions:
        run = self.run
        return predict(run.model, run.loss, run.preprocessing, x, source)

    def _boundary(self) -> Boundary:
        xs = np.linspace(self._low[0], self._high[0], GRID_SIDE, dtype=np.float32)
        ys = np.linspace(self._low[1], self._high[1], GRID_SIDE, dtype=np.float32)
        grid_x, grid_y = np.meshgrid(xs, ys)
        grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
        predictions = self._predict(grid, "the decision-boundary grid")
        shape = (GRID_SIDE, GRID_SIDE)
        return Boundary(
            predictions.labels.reshape(shape),
            predictions.probabilities.max(axis=1).reshape(shape),
            (float(xs[0]), float(xs[-1])),
            (float(ys[0]), float(ys[-1])),
        )

    def _curve(self) -> tuple[np.ndarray, np.ndarray]:
        xs = np.linspace(self._low[0], self._high[0], CURVE_POINTS, dtype=np.float32).reshape(-1, 1)
        return xs[:, 0], self._predict(xs, "the fitted-curve grid").values[:, 0]

    def _confusion(self) -> np.ndarray:
        """Counts by (true class, predicted class)."""
        x, labels = self._held_out
        predicted = self._predict(x, f"the {self.confusion_set} samples").labels
        classes = len(self.classes)
        counts = np.bincount(labels * classes + predicted, minlength=classes * classes)
        return counts.reshape(classes, classes)


def _histogram(arrays: list[np.ndarray]) -> Histogram:
    values = np.concatenate([np.ravel(a) for a in arrays]) if arrays else np.zeros(0, np.float32)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return Histogram(np.zeros(HISTOGRAM_BINS, np.int64), np.linspace(-1.0, 1.0, HISTOGRAM_BINS + 1))
    counts, edges = np.histogram(values, bins=HISTOGRAM_BINS)
    return Histogram(counts, edges)


def _padded_range(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    low, high = x.min(axis=0), x.max(axis=0)
    pad = np.maximum(high - low, 1e-6) * MARGIN
    return low - pad, high + pad
