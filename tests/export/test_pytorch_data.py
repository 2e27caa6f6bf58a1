"""The exported data.py holds out, scales and orders the samples as the app does: the same
validation split as ``engine.fit_data.split_indices``, the same scaler as ``Scaler.fit``, the same
shuffled batches as ``Trainer.fit`` (its seeded EpochOrder), and torchrun's shares of a batch are
that batch."""

from __future__ import annotations

import importlib.util
from importlib import resources

import numpy as np
import pytest

from desktop_app.data.preprocess import Scaler
from desktop_app.engine.fit_data import EpochOrder, split_indices
from export.pytorch_runs import require_torch

require_torch()


@pytest.fixture(scope="module")
def data():
    path = resources.files("desktop_app.export.pytorch_template").joinpath("data.py")
    spec = importlib.util.spec_from_file_location("exported_data", str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("count", "fraction", "seed"), [(300, 0.2, 0), (1797, 0.15, 7), (5, 0.01, 3),
                                                         (40, 0.0, 1)])
def test_the_validation_split_is_the_engines(data, count, fraction, seed) -> None:
    for ours, engines in zip(data.split_indices(count, fraction, seed), split_indices(count, fraction, seed),
                             strict=True):
        np.testing.assert_array_equal(ours, engines)


@pytest.mark.parametrize("method", ["none", "standardize", "minmax"])
def test_the_scaling_is_the_engines(data, method) -> None:
    x = np.random.default_rng(1).normal(3.0, 2.0, size=(50, 2, 3)).astype(np.float32)
    x[:, 0, 0] = 4.0  # a constant feature keeps the scale 1
    offset, spread = data.fit_scaler(method, x)
    scaler = Scaler.fit(method, x)
    np.testing.assert_array_equal(offset, scaler.offset)
    np.testing.assert_array_equal(spread, scaler.scale)
    np.testing.assert_array_equal(data.scale(x, offset, spread, "float32"), scaler.transform(x, np.float32))


@pytest.mark.parametrize("shuffle", [True, False])
def test_batches_come_in_the_engines_order_and_processes_share_them(data, shuffle) -> None:
    count, batch_size, seed = 53, 8, 4
    x = np.arange(count, dtype=np.float64)[:, None]
    engine = EpochOrder(x, x, shuffle, np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1]),
                        batch_size)
    one = data.AppOrderSampler(count, batch_size, shuffle, seed)
    two = [data.AppOrderSampler(count, batch_size, shuffle, seed, num_replicas=2, rank=rank)
           for rank in (0, 1)]
    for epoch in range(1, 4):
        targets = engine.next_epoch()
        for sampler in (one, *two):
            sampler.set_epoch(epoch)
        batches = list(one)
        assert len(batches) == len(one) == 7
        for (positions, indices), start in zip(batches, range(0, count, batch_size), strict=True):
            np.testing.assert_array_equal(x[indices], engine.batch(start, min(start + batch_size, count)))
            np.testing.assert_array_equal(targets[positions], x[indices])
        for whole, *shares in zip(batches, *two, strict=True):
            assert sorted(np.concatenate([indices for _, indices in shares])) == sorted(whole[1])
