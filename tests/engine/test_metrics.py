"""Metrics: hand-counted accuracies, MAE and R^2 against their definitions."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.engine.errors import ConfigError, ShapeError
from desktop_app.engine.metrics import BUILTIN_METRICS, Accuracy, MeanAbsoluteErrorMetric, R2Score

LOGITS = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.1, 5.0], [4.0, 0.0, 1.0]], dtype=np.float32)


def test_registered_names_and_directions():
    assert [m.type_name for m in BUILTIN_METRICS] == ["accuracy", "mae", "r2"]
    assert Accuracy.higher_is_better and R2Score.higher_is_better
    assert not MeanAbsoluteErrorMetric.higher_is_better
    assert set(Accuracy.tasks) == {"classification", "binary"}


def test_categorical_accuracy_from_labels_and_one_hot():
    labels = np.array([0, 1, 1, 2])  # arg-maxes are 0, 1, 2, 0: two right
    assert Accuracy()(LOGITS, labels) == 0.5
    assert Accuracy()(LOGITS, np.eye(3)[labels]) == 0.5
    assert Accuracy()(LOGITS, labels[:, None]) == 0.5


def test_binary_accuracy_thresholds_logits_at_zero():
    logits = np.array([[-0.1], [0.2], [3.0], [-2.0], [0.0]], dtype=np.float32)
    targets = np.array([0.0, 1.0, 0.0, 1.0, 0.0])
    # predictions 0, 1, 1, 0, 0 -> right, right, wrong, wrong, right
    assert Accuracy()(logits, targets) == pytest.approx(3 / 5)
    assert Accuracy(mode="binary")(logits, targets[:, None]) == pytest.approx(3 / 5)


def test_binary_mode_on_several_columns_is_element_wise():
    logits = np.array([[1.0, -1.0], [1.0, 1.0]])
    targets = np.array([[1.0, 1.0], [1.0, 1.0]])
    assert Accuracy(mode="binary")(logits, targets) == 0.75
    assert Accuracy()(logits, np.array([0, 1])) == 0.5  # auto: categorical for 2 columns


def test_accuracy_rejects_mismatched_targets():
    with pytest.raises(ShapeError, match=r"accuracy: targets must be labels of shape \(4,\).*Received"):
        Accuracy()(LOGITS, np.zeros((4, 5)))
    with pytest.raises(ConfigError, match="must be one of"):
        Accuracy(mode="sparse")


def test_mae():
    pred = np.array([[1.0], [2.0], [4.0]])
    assert MeanAbsoluteErrorMetric()(pred, np.array([1.5, 2.0, 1.0])) == pytest.approx((0.5 + 0 + 3) / 3)


def test_r2_matches_its_definition_per_column_then_averaged():
    rng = np.random.default_rng(3)
    target = rng.standard_normal((50, 2))
    pred = target + 0.3 * rng.standard_normal((50, 2))
    per_column = 1 - ((target - pred) ** 2).sum(0) / ((target - target.mean(0)) ** 2).sum(0)
    assert R2Score()(pred, target) == pytest.approx(per_column.mean(), rel=1e-12)
    assert R2Score()(target, target) == 1.0
    mean_only = np.broadcast_to(target.mean(0), target.shape)
    assert R2Score()(mean_only, target) == pytest.approx(0.0, abs=1e-12)


def test_r2_of_a_constant_target_is_finite():
    target = np.full((5, 1), 2.0)
    assert R2Score()(target.copy(), target) == 1.0
    assert R2Score()(target + 1, target) == 0.0
