"""Each layer's gradient norm per epoch, as a kept run stores it (``gradient_norms.csv``).

A layer's norm at a batch is the L2 norm of all its parameters' gradients together (as the
window's live plot draws it); an epoch's value is the mean over its batches, so runs with other
batch sizes compare on one axis. The CLI feeds it engine events (``EpochGradientNorms``); the
window feeds it the layer norms its training bridge already computed.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from ..engine.callbacks import BatchEvent, Callback, RunInfo

EPOCH_COLUMN = "epoch"


class GradientNormTable:
    """Sums of each layer's batch norms per epoch; ``csv()`` gives their means."""

    def __init__(self, layers: tuple[str, ...] = ()) -> None:
        self.layers = layers
        self._sums: dict[int, np.ndarray] = {}
        self._counts: dict[int, int] = {}

    def add(self, epochs: np.ndarray, norms: np.ndarray) -> None:
        """Batches: the epoch of each (1-based) and its row of layer norms (in ``layers`` order)."""
        for epoch, row in zip(np.asarray(epochs).tolist(), np.asarray(norms, dtype=np.float64), strict=True):
            self._sums[epoch] = self._sums.get(epoch, 0.0) + row
            self._counts[epoch] = self._counts.get(epoch, 0) + 1

    def csv(self) -> str:
        """``epoch,<layer>,...``: one row per epoch that had batches."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([EPOCH_COLUMN, *self.layers])
        for epoch in sorted(self._sums):
            writer.writerow([epoch, *(self._sums[epoch] / self._counts[epoch]).tolist()])
        return buffer.getvalue()


class EpochGradientNorms(Callback):
    """An engine callback that fills a ``GradientNormTable`` from every batch's gradient norms."""

    def __init__(self) -> None:
        self.table = GradientNormTable()
        self._owners: dict[str, list[str]] = {}

    def on_run_start(self, info: RunInfo) -> None:
        layers = tuple(dict.fromkeys(key.split("/")[0] for key in info.parameter_keys))
        self.table = GradientNormTable(layers)
        self._owners = {layer: [key for key in info.parameter_keys if key.split("/")[0] == layer]
                        for layer in layers}

    def on_batch_end(self, event: BatchEvent) -> None:
        norms = [math.sqrt(sum(event.grad_norms[key] ** 2 for key in keys)) for keys in self._owners.values()]
        self.table.add(np.array([event.epoch]), np.array([norms]))
