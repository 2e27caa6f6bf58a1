"""The expected loss at initialization equals the loss of a uniform guess, computed by the loss itself."""

from __future__ import annotations

import math

import numpy as np
import pytest

from desktop_app.engine.initial_loss import expected_initial_loss
from desktop_app.engine.losses import BinaryCrossentropy, CategoricalCrossentropy, MeanSquaredError


@pytest.mark.parametrize("classes", [2, 3, 10])
def test_softmax_cross_entropy_of_zero_logits_is_the_expectation(classes):
    loss = CategoricalCrossentropy()
    labels = np.random.default_rng(0).integers(0, classes, size=17)
    actual = loss.forward(np.zeros((17, classes)), labels)
    assert expected_initial_loss(loss, classes) == pytest.approx(actual, rel=1e-12)
    assert actual == pytest.approx(math.log(classes))


def test_sigmoid_cross_entropy_of_zero_logits_is_the_expectation():
    loss = BinaryCrossentropy()
    targets = np.random.default_rng(1).integers(0, 2, size=(9, 3)).astype(float)
    assert expected_initial_loss(loss, 3) == pytest.approx(loss.forward(np.zeros((9, 3)), targets))


def test_regression_has_no_expectation():
    assert expected_initial_loss(MeanSquaredError(), 1) is None
