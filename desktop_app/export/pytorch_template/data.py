"""The data as Backprop Studio trains on it: the same validation split, input scaling and batch order.

Each function mirrors the app's own, named in its docstring, so that one seed holds out the same
samples, scales them the same way and visits them in the same order as a run in the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from torch.utils.data import DistributedSampler


def load_data(path: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The samples as the dataset holds them (unscaled), the targets shaped for the loss, the class names."""
    with np.load(path, allow_pickle=False) as data:
        return data["x"], data["y"], [str(name) for name in data["class_names"]]


def split_indices(count: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training, validation) indices, both sorted: ``desktop_app.engine.fit_data.split_indices``."""
    held_out = max(1, round(count * fraction)) if fraction > 0 else 0
    if held_out >= count:
        raise ValueError(f"a validation split of {fraction} leaves no training samples out of {count}")
    order = np.random.default_rng(seed).permutation(count)
    return np.sort(order[held_out:]), np.sort(order[:held_out])


def fit_scaler(method: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(offset, scale) per feature, fitted in float64 on the training samples:
    ``desktop_app.data.preprocess.Scaler.fit``. Constant features keep the scale 1."""
    shape = x.shape[1:]
    if method == "none":
        return np.zeros(shape), np.ones(shape)
    x64 = x.astype(np.float64)
    if method == "standardize":
        offset, spread = x64.mean(axis=0), x64.std(axis=0)
    else:
        offset, spread = x64.min(axis=0), x64.max(axis=0) - x64.min(axis=0)
    spread[spread == 0.0] = 1.0
    return offset, spread


def scale(x: np.ndarray, offset: np.ndarray, spread: np.ndarray, dtype: str) -> np.ndarray:
    """(x - offset) / scale computed in float64, then cast: ``Scaler.transform``."""
    return np.ascontiguousarray((x.astype(np.float64) - offset) / spread, dtype=dtype)


class AppOrderSampler(DistributedSampler):
    """This process's share of every batch, in the order the app trains in.

    Each epoch visits the samples in a permutation drawn from the app's shuffle stream (or in the
    data's own order without shuffling), cut into batches of the global batch size; of each batch,
    process ``rank`` of ``num_replicas`` takes the samples at positions rank, rank + N, ... So N
    processes together see exactly the batches one process sees, and their mean gradient is the
    batch's. Iterating yields (positions in the epoch's order, sample indices) per batch; call
    ``set_epoch`` once per epoch, in order, before iterating.
    """

    def __init__(self, count: int, batch_size: int, shuffle: bool, seed: int, num_replicas: int = 1,
                 rank: int = 0) -> None:
        super().__init__(range(count), num_replicas=num_replicas, rank=rank, shuffle=False)
        self.count, self.batch_size, self.shuffle_samples = count, batch_size, shuffle
        # Trainer.fit's stream: the seed's second child, so it never repeats the split's draws.
        self.rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
        self.order = np.arange(count)

    def set_epoch(self, epoch: int) -> None:
        super().set_epoch(epoch)
        if self.shuffle_samples:
            self.order = self.rng.permutation(self.count)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, self.count, self.batch_size):
            stop = min(start + self.batch_size, self.count)
            positions = np.arange(start + self.rank, stop, self.num_replicas)
            yield positions, self.order[positions]

    def __len__(self) -> int:
        return -(-self.count // self.batch_size)
