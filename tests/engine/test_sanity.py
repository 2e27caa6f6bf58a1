"""The sanity checks: loss at initialization against ln C, and overfitting one small batch."""

from __future__ import annotations

import math

import numpy as np

from desktop_app.engine import Adam, CategoricalCrossentropy, MeanSquaredError, Model, stack
from desktop_app.engine.sanity import (
    NEAR_ZERO_FRACTION,
    OVERFIT_SAMPLES,
    check_initial_loss,
    overfit_small_batch,
)

from .test_lr_range import LAYERS, blobs, classifier


def test_a_well_initialized_classifier_starts_near_ln_c():
    x, y = blobs()
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    check = check_initial_loss(classifier(), CategoricalCrossentropy(), x, y)
    assert check.expected == math.log(3) and check.ok
    assert abs(check.measured - math.log(3)) < 1.0


def test_an_over_confident_output_layer_fails_the_initial_loss_check():
    x, y = blobs()
    model = classifier()
    model.layers["dense_3"].params["bias"][...] = [30.0, -30.0, 0.0]  # a wrong output-bias scale
    check = check_initial_loss(model, CategoricalCrossentropy(), x, y)
    assert not check.ok and check.measured > 10


def test_regression_has_no_expected_initial_loss_and_passes():
    x, _ = blobs()
    model = Model(stack((4,), ("Dense", {"units": 1})), LAYERS)
    check = check_initial_loss(model, MeanSquaredError(), x, x[:, :1] * 100)
    assert check.expected is None and check.ok


def test_a_working_network_overfits_a_small_batch_with_regularization_off():
    """Heavy dropout and weight decay would stop it; the check turns both off, on copies only."""
    x, y = blobs()
    model = classifier(("Dropout", {"rate": 0.9}))
    optimizer = Adam(learning_rate=0.01, weight_decay=10.0)
    before = model.get_weights()
    check = overfit_small_batch(model, CategoricalCrossentropy(), optimizer, x, y)
    assert check.ok and check.samples == OVERFIT_SAMPLES
    assert check.final_loss <= NEAR_ZERO_FRACTION * check.initial_loss
    assert model.layers["dropout_2"].config["rate"] == 0.9 and optimizer.config["weight_decay"] == 10.0
    assert not optimizer.slots
    for key, value in before.items():
        np.testing.assert_array_equal(model.get_weights()[key], value)


def test_a_network_that_cannot_learn_fails_the_overfit_check():
    x, y = blobs()
    check = overfit_small_batch(classifier(), CategoricalCrossentropy(), Adam(learning_rate=0.0), x, y)
    assert not check.ok and not check.diverged
    assert check.final_loss == check.initial_loss


def test_a_loss_that_turns_infinite_fails_the_overfit_check_with_a_finite_last_loss():
    x, y = blobs()
    x *= 1e30
    check = overfit_small_batch(classifier(), CategoricalCrossentropy(), Adam(learning_rate=1e3), x, y)
    assert not check.ok and check.diverged and math.isfinite(check.final_loss)
