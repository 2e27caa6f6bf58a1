"""The memory budget: models sized from their shapes are refused, node named, before allocating."""

from __future__ import annotations

import os
import tracemalloc

import numpy as np
import pytest

from desktop_app.data.preprocess import Scaler
from desktop_app.engine.errors import ConfigError, GraphError
from desktop_app.engine.graph import Model, stack
from desktop_app.engine.layers import BUILTIN_LAYERS
from desktop_app.engine.losses import MeanSquaredError
from desktop_app.engine.memory import MEMORY_LIMIT_ENV, MemoryBudget, format_bytes, memory_budget
from desktop_app.project import Preprocessing
from desktop_app.project.predict import predict

LAYERS = {cls.type_name: cls for cls in BUILTIN_LAYERS}
GIB = 2**30


@pytest.fixture(autouse=True)
def twelve_gib(monkeypatch):
    """The same budget on every machine, so messages and verdicts do not depend on its RAM."""
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "12GiB")


def refused(nodes, **kwargs) -> tuple[GraphError, int]:
    """The GraphError building ``nodes`` raises, and the peak memory NumPy took meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(GraphError) as caught:
            Model(nodes, LAYERS, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return caught.value, peak


def test_a_billion_units_are_refused_with_the_node_and_the_numbers_before_allocating():
    error, peak = refused(stack((8,), ("Dense", {"units": 10**9}), ("ReLU", {})))
    assert error.node == "dense_1"
    assert str(error) == (
        "node 'dense_1' (Dense): 9,000,000,000 weights and 1,000,000,000 outputs per sample would need "
        "141.6 GiB in float32 for one sample; the limit is 12.0 GiB "
        f"(set by {MEMORY_LIMIT_ENV})"
    )
    assert peak < 2**20


@pytest.mark.parametrize("nodes, node", [
    (stack((10**9,), ("Dense", {"units": 4})), "dense_1"),
    (stack((1, 64, 64), ("Conv2D", {"filters": 10**6, "kernel_size": (3, 3)})), "conv2d_1"),
])
def test_a_huge_input_or_filter_count_is_refused(nodes, node):
    error, peak = refused(nodes)
    assert error.node == node and "the limit is 12.0 GiB" in str(error)
    assert peak < 2**20


def test_a_model_too_big_only_as_a_whole_names_its_largest_node(monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "4M")
    nodes = stack((256,), ("Dense", {"units": 256}), ("Dense", {"units": 512}), ("Dense", {"units": 256}))
    error, _ = refused(nodes)  # 4 x 4 bytes x (65,792 + 131,584 + 131,328 weights) = 5.0 MiB
    assert error.node == "dense_2"
    assert "would need 2.0 MiB" in str(error) and "the whole model would need 5.0 MiB" in str(error)


def test_float64_counts_twice_the_bytes(monkeypatch):
    nodes = stack((1000,), ("Dense", {"units": 1000}))
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "20M")
    Model(nodes, LAYERS)  # 4 x 4 bytes x 1,001,000 weights: 15.3 MiB
    error, _ = refused(nodes, dtype="float64")
    assert "would need 30.6 MiB in float64" in str(error)


def test_a_model_within_the_budget_builds_and_a_batch_is_checked_on_request(monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1M")
    model = Model(stack((1000,), ("Dense", {"units": 10})), LAYERS)
    model.require_memory(batch_size=10)
    with pytest.raises(GraphError, match=r"node 'input' \(Input\): 0 weights and 1,000 outputs per sample "
                                         r"would need 3\.8 MiB in float32 for a batch of 500"):
        model.require_memory(batch_size=500)


def test_prediction_checks_its_batch(monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1M")
    model = Model(stack((1000,), ("Dense", {"units": 1})), LAYERS)
    scaling = Preprocessing(Scaler.fit("none", np.zeros((1, 1000))), (), "d")
    assert predict(model, MeanSquaredError(), scaling, np.ones((10, 1000)), "x.npy").values.shape == (10, 1)
    with pytest.raises(GraphError, match=r"node 'input' \(Input\): .* for a batch of 500"):
        predict(model, MeanSquaredError(), scaling, np.ones((500, 1000)), "x.npy")


@pytest.mark.parametrize("value, limit", [("512M", 512 * 2**20), ("8GiB", 8 * GIB), ("1.5g", 3 * GIB // 2),
                                          ("1000", 1000), (" 2 TB ", 2 * 2**40)])
def test_the_limit_can_be_set_in_the_environment(value, limit):
    assert memory_budget({MEMORY_LIMIT_ENV: value}) == MemoryBudget(limit, f"set by {MEMORY_LIMIT_ENV}")


def test_a_bad_limit_is_named():
    with pytest.raises(ConfigError, match=f"{MEMORY_LIMIT_ENV} must be a size such as 512M or 8GiB. "
                                          "Received: 'lots'"):
        memory_budget({MEMORY_LIMIT_ENV: "lots"})


@pytest.mark.skipif(not hasattr(os, "sysconf"), reason="POSIX reports the machine's memory")
def test_the_default_is_half_of_the_machine():
    machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert memory_budget({}) == MemoryBudget(machine // 2, "half of this machine's memory")


@pytest.mark.parametrize("count, text", [(999, "999 bytes"), (1536, "1.5 KiB"), (32 * 10**9, "29.8 GiB")])
def test_sizes_read_in_binary_units(count, text):
    assert format_bytes(count) == text
