"""Parity with plainly written float64 formulas: the shared numerics module, the Sigmoid and ELU
layers (values and gradients over [-40, 40]) and BatchNorm's running statistics.

Over [-40, 40] the plain float64 formulas are accurate to a few units in the last place (exp(40)
is far from overflow and nothing cancels), so they serve as the reference for both dtypes.
"""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.engine.layers import ELU, BatchNorm, Sigmoid
from desktop_app.engine.numerics import log_softmax, sigmoid, sigmoid_pair, softmax

# Relative error bounds: a handful of units in the last place of each dtype.
RELATIVE_BOUND = {np.float32: 1e-6, np.float64: 1e-14}
DTYPES = (np.float32, np.float64)


def grid(dtype) -> np.ndarray:
    """x in [-40, 40], including the region below -17 where float32 sigmoid used to fail."""
    return np.linspace(-40.0, 40.0, 4001).astype(dtype)[None, :]


def relative_error(actual: np.ndarray, expected: np.ndarray) -> float:
    return float(np.max(np.abs(actual.astype(np.float64) - expected) / np.abs(expected)))


def forward_and_gradient(layer, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    layer.build(x.shape[1:], rng=np.random.default_rng(0))
    y = layer.forward(x)
    (dx,) = layer.backward(np.ones_like(y))
    return y, dx


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_sigmoid_values_and_gradients_match_the_plain_formula(dtype) -> None:
    x = grid(dtype)
    x64 = x.astype(np.float64)
    expected = 1.0 / (1.0 + np.exp(-x64))
    expected_slope = np.exp(-x64) / (1.0 + np.exp(-x64)) ** 2
    y, dx = forward_and_gradient(Sigmoid(), x)
    assert y.dtype == dx.dtype == dtype
    assert relative_error(y, expected) <= RELATIVE_BOUND[dtype]
    assert relative_error(dx, expected_slope) <= RELATIVE_BOUND[dtype]
    assert relative_error(sigmoid(x), expected) <= RELATIVE_BOUND[dtype]
    assert relative_error(sigmoid_pair(x)[1], 1.0 / (1.0 + np.exp(x64))) <= RELATIVE_BOUND[dtype]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_elu_values_and_gradients_match_the_plain_formula(dtype) -> None:
    alpha = 0.7
    x = grid(dtype)
    x64 = x.astype(np.float64)
    negative = x64 <= 0
    expected = np.where(negative, alpha * np.expm1(x64), x64)
    expected_slope = np.where(negative, alpha * np.exp(x64), 1.0)
    y, dx = forward_and_gradient(ELU(alpha=alpha), x)
    assert y.dtype == dx.dtype == dtype
    nonzero = x64 != 0  # ELU(0) = 0 exactly: no relative error to speak of
    assert relative_error(y[nonzero], expected[nonzero]) <= RELATIVE_BOUND[dtype]
    assert np.all(y[~nonzero] == 0)
    assert relative_error(dx, expected_slope) <= RELATIVE_BOUND[dtype]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_softmax_and_log_softmax_match_the_plain_formulas(dtype) -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(-40.0, 40.0, (6, 9)).astype(dtype)
    x64 = x.astype(np.float64)
    sums = np.exp(x64).sum(axis=-1, keepdims=True)
    assert softmax(x).dtype == log_softmax(x).dtype == dtype
    assert relative_error(softmax(x), np.exp(x64) / sums) <= 10 * RELATIVE_BOUND[dtype]
    np.testing.assert_allclose(log_softmax(x), x64 - np.log(sums), rtol=0,
                               atol=40 * 10 * RELATIVE_BOUND[dtype])
    assert relative_error(softmax(x.T, axis=0), (np.exp(x64) / sums).T) <= 10 * RELATIVE_BOUND[dtype]


def test_log_softmax_stays_finite_where_softmax_underflows() -> None:
    x = np.array([[0.0, -1000.0]])
    assert softmax(x)[0, 1] == 0.0
    assert log_softmax(x)[0, 1] == pytest.approx(-1000.0)


@pytest.mark.parametrize("sample_shape", [(3,), (2, 3, 2)], ids=["features", "channels"])
def test_batchnorm_running_statistics_and_eval_match_the_plain_formulas(sample_shape) -> None:
    """Mean and unbiased (÷(n − 1)) variance folded in over several steps, as PyTorch does with
    its momentum = 1 − ours; evaluation then normalizes by them."""
    momentum, epsilon = 0.8, 1e-3
    axes = (0,) if len(sample_shape) == 1 else (0, 2, 3)
    broadcast = (1, sample_shape[0]) + (1,) * (len(sample_shape) - 1)
    rng = np.random.default_rng(7)
    layer = BatchNorm(momentum=momentum, epsilon=epsilon)
    layer.dtype = np.dtype(np.float64)
    layer.build(sample_shape, rng=rng)
    layer.params["gamma"][:] = rng.uniform(0.5, 2.0, sample_shape[0])
    layer.params["beta"][:] = rng.normal(0.0, 1.0, sample_shape[0])
    running_mean, running_var = np.zeros(sample_shape[0]), np.ones(sample_shape[0])
    for step in range(4):
        batch = rng.normal(step, 1.0 + step, (5, *sample_shape)) * 3.0
        layer.forward(batch, training=True)
        count = batch.size // sample_shape[0]
        mean = batch.mean(axis=axes)
        unbiased_var = ((batch - mean.reshape(broadcast)) ** 2).sum(axis=axes) / (count - 1)
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * unbiased_var
    np.testing.assert_allclose(layer.state["running_mean"], running_mean, rtol=1e-13)
    np.testing.assert_allclose(layer.state["running_var"], running_var, rtol=1e-13)

    x = rng.normal(1.0, 4.0, (3, *sample_shape))
    expected = (x - running_mean.reshape(broadcast)) / np.sqrt(running_var.reshape(broadcast) + epsilon)
    expected = expected * layer.params["gamma"].reshape(broadcast) + layer.params["beta"].reshape(broadcast)
    np.testing.assert_allclose(layer.forward(x, training=False), expected, rtol=1e-12)


def test_batchnorm_batch_of_one_value_per_feature_leaves_the_running_variance_alone() -> None:
    layer = BatchNorm(momentum=0.5)
    layer.build((2,), rng=np.random.default_rng(0))
    layer.forward(np.array([[4.0, -2.0]], dtype=np.float32), training=True)
    np.testing.assert_array_equal(layer.state["running_mean"], [2.0, -1.0])
    np.testing.assert_array_equal(layer.state["running_var"], [1.0, 1.0])
