"""The learning-rate range test: torch-lr-finder's sweep, the valley suggestion, and a model and
optimizer left exactly as they were."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from desktop_app.engine import BUILTIN_LAYERS, SGD, Adam, CategoricalCrossentropy, Model, stack
from desktop_app.engine.lr_range import (
    DIVERGE_FACTOR,
    END_RATE,
    MIN_POINTS,
    SMOOTHING,
    START_RATE,
    STEPS,
    lr_range_test,
    suggest_rate,
    sweep_rates,
)

LAYERS = {cls.type_name: cls for cls in BUILTIN_LAYERS}


def blobs(seed: int = 0, samples: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """Three separable Gaussian blobs in 4 dimensions."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, samples)
    centers = rng.standard_normal((3, 4)) * 3
    return centers[y] + rng.standard_normal((samples, 4)), y


def classifier(*extra: tuple[str, dict]) -> Model:
    return Model(stack((4,), ("Dense", {"units": 16}), *extra, ("ReLU", {}), ("Dense", {"units": 3})), LAYERS)


def test_the_sweep_is_exponential_from_1e_7_to_10_over_100_steps():
    rates = sweep_rates()
    assert (START_RATE, END_RATE, STEPS) == (1e-7, 10.0, 100)
    assert len(rates) == 100 and rates[0] == pytest.approx(1e-7) and rates[-1] == pytest.approx(10.0)
    assert np.allclose(np.diff(np.log(rates)), np.log(1e8) / 99)


def test_the_loss_is_smoothed_and_the_sweep_stops_at_five_times_its_best():
    x, y = blobs()
    test = lr_range_test(classifier(), CategoricalCrossentropy(), Adam(), x, y, batch_size=16)
    assert test.diverged and len(test.rates) < STEPS
    assert np.allclose(test.rates, sweep_rates()[: len(test.rates)])
    expected = [test.losses[0]]
    for loss in test.losses[1:]:
        expected.append(SMOOTHING * loss + (1 - SMOOTHING) * expected[-1])
    assert np.allclose(test.smoothed, expected)
    running_best = np.minimum.accumulate(test.smoothed)
    assert test.smoothed[-1] > DIVERGE_FACTOR * running_best[-2]
    assert np.all(test.smoothed[:-1] <= DIVERGE_FACTOR * running_best[:-1])
    assert 1e-4 < test.suggestion < test.minimum_rate


def test_model_and_optimizer_state_are_as_they_were():
    """Weights, BatchNorm statistics, the Dropout stream and Adam's moments all survive the sweep: a
    training step afterwards is exactly the step the untouched twin takes."""
    x, y = blobs()
    model = classifier(("BatchNorm", {}), ("Dropout", {"rate": 0.3}))
    loss, optimizer = CategoricalCrossentropy(), Adam(learning_rate=0.01)
    for _ in range(3):  # give the optimizer moments and BatchNorm running statistics
        loss.forward(model.forward(x[:32], training=True), y[:32])
        model.backward(loss.backward())
        optimizer.step(model.parameters(), model.gradients(), 0.01)
    twin_model, twin_optimizer = copy.deepcopy(model), copy.deepcopy(optimizer)

    test = lr_range_test(model, loss, optimizer, x, y, batch_size=16)

    assert len(test.rates) > 50  # the sweep really trained
    for key, value in twin_model.get_weights().items():
        np.testing.assert_array_equal(model.get_weights()[key], value, err_msg=key)
    assert optimizer.iterations == twin_optimizer.iterations
    for name, slots in twin_optimizer.slots.items():
        for slot, value in slots.items():
            np.testing.assert_array_equal(optimizer.slots[name][slot], value, err_msg=f"{name} {slot}")
    for trained, twin in ((model, optimizer), (twin_model, twin_optimizer)):
        loss.forward(trained.forward(x[:32], training=True), y[:32])
        trained.backward(loss.backward())
        twin.step(trained.parameters(), trained.gradients(), 0.01)
    for key, value in twin_model.get_weights().items():
        np.testing.assert_array_equal(model.get_weights()[key], value, err_msg=key)


def test_a_non_finite_loss_ends_the_sweep_without_a_point():
    x, y = blobs()
    x[:, 0] *= 1e30  # float32 overflows within a few large steps
    model = Model(stack((4,), ("Dense", {"units": 3})), LAYERS)
    test = lr_range_test(model, CategoricalCrossentropy(), SGD(), x, y, batch_size=16,
                         rates=np.geomspace(1e-3, 1e6, 100))
    assert test.diverged and len(test.rates) < 100
    assert np.all(np.isfinite(test.losses)) and np.all(np.isfinite(test.smoothed))


def test_should_stop_ends_the_sweep_with_the_curve_so_far():
    x, y = blobs()
    calls = []
    test = lr_range_test(classifier(), CategoricalCrossentropy(), Adam(), x, y, batch_size=16,
                         on_step=lambda done, total: calls.append((done, total)),
                         should_stop=lambda: len(calls) >= 20)
    assert len(test.rates) == 20 and not test.diverged
    assert calls[-1] == (20, STEPS)


def test_the_suggestion_is_half_way_down_the_longest_valley():
    rates = np.geomspace(1e-7, 10, 40)
    # flat, then a long fall over points 10..30, then a climb
    curve = np.concatenate([np.full(10, 2.0) + np.arange(10) * 1e-3, np.linspace(2.0, 0.5, 21)[1:],
                            np.linspace(0.6, 5.0, 10)])
    # the longest decreasing subsequence is 21 points long (index 9, then 10..29), so the valley
    # is 8..29: a third of it is 7 points, and the suggestion 7 + 3 points in
    assert suggest_rate(rates, curve) == pytest.approx(rates[8 + 7 + 3])
    assert suggest_rate(rates[: MIN_POINTS - 1], curve[: MIN_POINTS - 1]) is None
