"""Losses: values against float64 reference formulas, gradients against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.engine.errors import ShapeError
from desktop_app.engine.gradcheck import check_loss_gradients
from desktop_app.engine.losses import (
    BUILTIN_LOSSES,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Huber,
    MeanAbsoluteError,
    MeanSquaredError,
)

RNG = np.random.default_rng(7)
PRED = RNG.standard_normal((6, 3))
REG_TARGET = RNG.standard_normal((6, 3))
BIN_TARGET = (RNG.random((6, 3)) > 0.5).astype(np.float64)
LABELS = np.array([0, 2, 1, 1, 0, 2])
ONE_HOT = np.eye(3)[LABELS]


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_every_builtin_has_a_type_name_and_task():
    names = [cls.type_name for cls in BUILTIN_LOSSES]
    assert names == ["mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy"]
    tasks = {cls.type_name: cls.task for cls in BUILTIN_LOSSES}
    assert tasks["categorical_crossentropy"] == "classification"
    assert tasks["binary_crossentropy"] == "binary"
    assert {tasks["mse"], tasks["mae"], tasks["huber"]} == {"regression"}


@pytest.mark.parametrize(
    ("loss", "target", "expected"),
    [
        (MeanSquaredError(), REG_TARGET, np.mean((PRED - REG_TARGET) ** 2)),
        (MeanAbsoluteError(), REG_TARGET, np.mean(np.abs(PRED - REG_TARGET))),
        (
            BinaryCrossentropy(),
            BIN_TARGET,
            np.mean(-BIN_TARGET * np.log(1 / (1 + np.exp(-PRED)))
                    - (1 - BIN_TARGET) * np.log(1 - 1 / (1 + np.exp(-PRED)))),
        ),
        (CategoricalCrossentropy(), LABELS, -np.mean(np.log(_softmax(PRED)[np.arange(6), LABELS]))),
        (CategoricalCrossentropy(), ONE_HOT, -np.mean(np.log(_softmax(PRED)[np.arange(6), LABELS]))),
    ],
    ids=["mse", "mae", "bce", "cce-labels", "cce-one-hot"],
)
def test_loss_values_match_the_textbook_formula(loss, target, expected):
    assert loss.forward(PRED, target) == pytest.approx(expected, rel=1e-12)


def test_huber_is_quadratic_inside_delta_and_linear_outside():
    loss = Huber(delta=1.5)
    pred = np.array([[0.0, 0.0, 0.0, 0.0]])
    target = np.array([[1.0, -1.5, 3.0, -4.0]])
    expected = (0.5 * 1.0 + 0.5 * 2.25 + 1.5 * (3.0 - 0.75) + 1.5 * (4.0 - 0.75)) / 4
    assert loss.forward(pred, target) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(loss.backward(), np.array([[-1.0, 1.5, -1.5, 1.5]]) / 4)


@pytest.mark.parametrize(
    ("loss", "target"),
    [
        (MeanSquaredError(), REG_TARGET),
        (MeanAbsoluteError(), REG_TARGET),
        (Huber(delta=0.7), REG_TARGET),
        (BinaryCrossentropy(), BIN_TARGET),
        (CategoricalCrossentropy(), LABELS),
        (CategoricalCrossentropy(), ONE_HOT),
        (CategoricalCrossentropy(), np.full((6, 3), 1 / 3)),  # soft labels
    ],
    ids=["mse", "mae", "huber", "bce", "cce-labels", "cce-one-hot", "cce-soft"],
)
def test_gradients_match_finite_differences(loss, target):
    report = check_loss_gradients(loss, PRED, target)
    assert report.ok, str(report)
    assert report.max_error < 1e-6


def test_gradcheck_catches_a_wrong_gradient():
    class Halved(MeanSquaredError):
        def backward(self):
            return super().backward() * 0.5

    assert not check_loss_gradients(Halved(), PRED, REG_TARGET).ok


def test_cross_entropies_stay_finite_for_huge_logits():
    logits = np.array([[1000.0, -1000.0, 0.0], [-800.0, 900.0, 5.0]], dtype=np.float32)
    cce = CategoricalCrossentropy()
    value = cce.forward(logits, np.array([1, 1]))
    assert value == pytest.approx(2000.0 / 2, rel=1e-6)  # first row is wrong by 2000, second right
    assert np.isfinite(cce.backward()).all()
    bce = BinaryCrossentropy()
    value = bce.forward(logits, np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]], dtype=np.float32))
    assert np.isfinite(value)
    assert value == pytest.approx((1000 + 1000 + np.log(2) + 800 + 900 + 5 + np.log1p(np.exp(-5))) / 6,
                                  rel=1e-5)
    assert np.isfinite(bce.backward()).all()


@pytest.mark.parametrize("loss_cls", BUILTIN_LOSSES)
def test_float32_in_float32_out(loss_cls):
    pred = PRED.astype(np.float32)
    target = {
        "classification": LABELS,
        "binary": BIN_TARGET,
        "regression": REG_TARGET,
    }[loss_cls.task]
    loss = loss_cls()
    assert isinstance(loss.forward(pred, target), float)
    assert loss.backward().dtype == np.float32


def test_predict_gives_probabilities():
    probs = CategoricalCrossentropy().predict(PRED)
    np.testing.assert_allclose(probs, _softmax(PRED))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    sig = BinaryCrossentropy().predict(np.array([-800.0, 0.0, 800.0], dtype=np.float32))
    np.testing.assert_array_equal(sig, np.array([0.0, 0.5, 1.0], dtype=np.float32))
    assert sig.dtype == np.float32
    np.testing.assert_array_equal(MeanSquaredError().predict(PRED), PRED)


def test_bce_gradient_is_divided_by_every_element_not_by_samples():
    """docs/engine.md: for (N, K) outputs BCE averages N·K terms; categorical CE averages N."""
    pred = PRED.astype(np.float64)  # (6, 3)
    bce = BinaryCrossentropy()
    bce.forward(pred, BIN_TARGET)
    np.testing.assert_allclose(bce.backward(), (1 / (1 + np.exp(-pred)) - BIN_TARGET) / pred.size, rtol=1e-12)
    cce = CategoricalCrossentropy()
    cce.forward(pred, LABELS)
    expected = _softmax(pred) - np.eye(pred.shape[1])[LABELS]
    np.testing.assert_allclose(cce.backward(), expected / len(pred), rtol=1e-12, atol=1e-15)


def test_backward_can_be_read_twice():
    loss = CategoricalCrossentropy()
    loss.forward(PRED, LABELS)
    np.testing.assert_array_equal(loss.backward(), loss.backward())


def test_single_column_targets_may_omit_the_trailing_axis():
    pred = PRED[:, :1]
    loss = BinaryCrossentropy()
    assert loss.forward(pred, BIN_TARGET[:, 0]) == loss.forward(pred, BIN_TARGET[:, :1])


def test_wrong_target_shape_is_named():
    with pytest.raises(ShapeError, match=r"mse: targets must have the predictions' shape \(6, 3\)\. "
                                         r"Received targets of shape \(6, 2\)"):
        MeanSquaredError().forward(PRED, REG_TARGET[:, :2])
    with pytest.raises(ShapeError, match=r"class indices of shape \(6,\).*Received targets of shape \(5,\)"):
        CategoricalCrossentropy().forward(PRED, LABELS[:5])


@pytest.mark.parametrize(("labels", "bad"), [([0, 1, 3, 0, 0, 0], 3), ([0, -1, 0, 0, 0, 0], -1)])
def test_out_of_range_class_labels_are_named(labels, bad):
    with pytest.raises(ShapeError, match=rf"must lie in \[0, 2\] for 3 outputs\. Received label {bad}"):
        CategoricalCrossentropy().forward(PRED, np.array(labels))


def test_fractional_class_labels_are_refused_and_whole_floats_accepted():
    with pytest.raises(ShapeError, match="whole numbers"):
        CategoricalCrossentropy().forward(PRED, np.array([0.5, 1, 1, 0, 0, 2]))
    loss = CategoricalCrossentropy()
    assert loss.forward(PRED, LABELS.astype(np.float32)) == loss.forward(PRED, LABELS)
