"""The gradient checker itself: it passes correct gradients and catches wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.engine import BUILTIN_LOSSES
from desktop_app.engine.errors import ConfigError, ShapeError
from desktop_app.engine.gradcheck import (
    ERROR_FLOOR,
    GRADE_BANDS,
    check_layer_gradients,
    check_loss_gradients,
    check_model_gradients,
    grade,
    relative_error,
)
from desktop_app.engine.graph import Model, stack
from desktop_app.engine.layers import BUILTIN_LAYERS, Dense, ReLU
from desktop_app.engine.loss import Loss
from desktop_app.engine.losses import CategoricalCrossentropy
from desktop_app.plugin_system import current_registry
from desktop_app.project import EXAMPLES, RunOverrides, build_run, example_path, load_project


class HalfSquaredError(Loss):
    """mean(0.5·(pred − target)²) over the batch: a loss with a known gradient, for these tests."""

    type_name = "HalfSquaredError"

    def forward(self, pred, target):
        self._diff = pred - target
        return float(0.5 * np.mean(np.sum(self._diff**2, axis=tuple(range(1, pred.ndim)))))

    def backward(self):
        return self._diff / self._diff.shape[0]


class WrongScaleLoss(HalfSquaredError):
    type_name = "WrongScaleLoss"

    def backward(self):
        return 2.0 * super().backward()


class WrongSignCrossentropy(CategoricalCrossentropy):
    type_name = "WrongSignCrossentropy"

    def backward(self):
        return -super().backward()


class KernelGradTwice(Dense):
    """A Dense whose kernel gradient is doubled: the check must flag the kernel only."""

    def backward(self, grad):
        result = super().backward(grad)
        self.grads["kernel"] *= 2.0
        return result


class InputGradSignFlipped(ReLU):
    def backward(self, grad):
        return (-super().backward(grad)[0],)


class TwoGradientsForOneInput(ReLU):
    type_name = "TwoGradientsForOneInput"

    def backward(self, grad):
        return (grad, grad)


def test_relative_error_is_relative_for_large_values_and_absolute_below_the_floor():
    assert relative_error(np.array([100.0]), np.array([101.0])) == pytest.approx(1 / 201)
    assert relative_error(np.array([1.0]), np.array([-1.0])) == pytest.approx(1.0)
    # Both values tiny: round-off of 1e-10 against a floor of 1e-5 stays small.
    assert relative_error(np.array([0.0]), np.array([1e-10])) == pytest.approx(1e-10 / ERROR_FLOOR)
    assert relative_error(np.array([]), np.array([])) == 0.0


def test_grades_follow_the_cs231n_bands():
    assert [bound for bound, _ in GRADE_BANDS] == [1e-7, 1e-4, 1e-2]
    assert [grade(e) for e in (0.0, 1e-7, 2e-7, 1e-4, 5e-3, 1e-2, 0.02, 1.0)] == [
        "excellent", "excellent", "acceptable", "acceptable", "uncomfortable", "uncomfortable",
        "wrong", "wrong"]
    assert grade(float("nan")) == "wrong"


def test_correct_dense_passes_with_errors_near_float64_precision():
    report = check_layer_gradients(Dense, (5,), config={"units": 4})
    assert report.ok
    assert set(report.errors) == {"input 0", "kernel", "bias"}
    assert report.max_error < 1e-6


def test_doubled_kernel_gradient_is_flagged_and_named():
    report = check_layer_gradients(KernelGradTwice, (5,), config={"units": 4})
    assert not report.ok
    assert report.errors["kernel"] == pytest.approx(1 / 3, rel=1e-3)
    assert report.errors["input 0"] < 1e-6 and report.errors["bias"] < 1e-6
    text = str(report)
    assert "FAILED" in text and "kernel" in text and "exceeds tolerance" in text
    assert "(wrong)   <-- exceeds tolerance" in text


def test_flipped_input_gradient_is_flagged():
    report = check_layer_gradients(InputGradSignFlipped, (6,), batch=4)
    assert not report.ok
    assert report.errors["input 0"] == pytest.approx(1.0)


def test_an_instance_is_checked_from_its_config_in_float64():
    layer = Dense(units=3, use_bias=False)
    report = check_layer_gradients(layer, (4,))
    assert report.ok and set(report.errors) == {"input 0", "kernel"}
    assert layer.params == {}  # the caller's instance is not built or changed


def test_config_with_an_instance_is_refused():
    with pytest.raises(ConfigError, match="pass config only with a layer class"):
        check_layer_gradients(Dense(units=3), (4,), config={"units": 3})


def test_wrong_number_of_input_gradients_names_the_layer():
    expected = r"TwoGradientsForOneInput.backward must return one gradient per input \(1\)"
    with pytest.raises(ShapeError, match=expected):
        check_layer_gradients(TwoGradientsForOneInput, (3,))


def test_loss_gradient_check_passes_a_correct_loss_and_flags_a_wrong_one():
    rng = np.random.default_rng(1)
    pred, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    good = check_loss_gradients(HalfSquaredError(), pred, target)
    assert good.ok and good.errors["pred"] < 1e-7
    bad = check_loss_gradients(WrongScaleLoss, pred, target)
    assert not bad.ok and bad.errors["pred"] == pytest.approx(1 / 3, rel=1e-3)


# --- whole models at awkward points ---------------------------------------------------------------
LAYER_TYPES = {cls.type_name: cls for cls in BUILTIN_LAYERS}


def relu_mlp(seed: int = 0, layer_types=LAYER_TYPES) -> Model:
    """2 -> Dense(8) -> ReLU -> Dense(8) -> ReLU -> Dense(3), biases at their fresh zeros."""
    return Model(stack((2,), ("Dense", {"units": 8}), ("ReLU", {}), ("Dense", {"units": 8}), ("ReLU", {}),
                       ("Dense", {"units": 3})), layer_types, seed=seed)


@pytest.mark.parametrize("seed", range(5))
def test_a_sample_at_the_origin_with_zero_biases_passes(seed):
    """Regression: there every ReLU input sits exactly on its kink, and a correct model failed."""
    model = relu_mlp(seed)
    assert all(not array.any() for key, array in model.get_weights().items() if key.endswith("/bias"))
    x = np.array([[0.0, 0.0], [0.5, -1.0], [-0.3, 0.8], [1.2, 0.1]], dtype=np.float32)
    rows = check_model_gradients(model, x, np.array([0, 1, 2, 0]), CategoricalCrossentropy(), seed=seed)
    nodes = [n for n in model.order if n not in model.input_names]
    assert [row.node for row in rows] == [*nodes, "loss (categorical_crossentropy)"]
    assert all(row.ok for row in rows), [(row.node, row.error) for row in rows]
    assert not any(model.get_weights()[key].any() for key in model.get_weights() if key.endswith("/bias"))


def test_the_off_kink_point_still_catches_a_wrong_gradient():
    """All three Dense layers are broken: each is flagged, and nothing else."""
    model = relu_mlp(layer_types={**LAYER_TYPES, "Dense": KernelGradTwice})
    x = np.zeros((3, 2), dtype=np.float32)
    rows = check_model_gradients(model, x, np.array([0, 1, 2]), CategoricalCrossentropy())
    dense = [node for node in model.order if isinstance(model.layers[node], KernelGradTwice)]
    assert len(dense) == 3
    failing = {row.node for row in rows if not row.ok}
    assert failing == set(dense)
    assert all(row.params_error > 0.1 for row in rows if row.node in failing)


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_project_passes_for_seeds_0_to_4(example):
    """The CLI's gradcheck: the project's model on its first 4 training samples."""
    project = load_project(example_path(example))
    for seed in range(5):
        run = build_run(project, RunOverrides(seed=seed), registry=current_registry())
        x, y = run.data.x_train[:4], run.data.y_train[:4]
        rows = check_model_gradients(run.model, x, y, run.loss, seed=seed)
        assert all(row.ok for row in rows), (seed, [(row.node, row.error) for row in rows])


# --- the loss row -------------------------------------------------------------------------------
def random_targets(task: str, rng: np.random.Generator, count: int) -> np.ndarray:
    """Targets for relu_mlp's 3 outputs: class indices, 0/1 per output, or real values."""
    if task == "classification":
        return rng.integers(0, 3, count)
    if task == "binary":
        return (rng.random((count, 3)) > 0.5).astype(np.float64)
    return rng.standard_normal((count, 3))


@pytest.mark.parametrize("loss_cls", BUILTIN_LOSSES, ids=lambda cls: cls.type_name)
def test_every_builtin_loss_passes_its_row_of_the_model_check(loss_cls):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 2))
    rows = check_model_gradients(relu_mlp(), x, random_targets(loss_cls.task, rng, 5), loss_cls(),
                                 max_entries=None)
    loss_row = rows[-1]
    assert loss_row.node == f"loss ({loss_cls.type_name})"
    assert (loss_row.type, loss_row.params_error) == ("Loss", None)
    assert loss_row.ok and loss_row.input_error < 1e-7 and loss_row.grade == "excellent"
    assert all(row.ok for row in rows), [(row.node, row.error) for row in rows]


@pytest.mark.parametrize(("loss", "expected"), [(WrongSignCrossentropy(), 1.0), (WrongScaleLoss(), 1 / 3)],
                         ids=["sign", "factor"])
def test_a_wrong_loss_fails_its_own_row_and_no_layer(loss, expected):
    """The layers' check starts from the finite-difference dL/dpred, so a wrong loss blames only itself."""
    rng = np.random.default_rng(4)
    y = rng.integers(0, 3, 4) if loss.task == "classification" else rng.standard_normal((4, 3))
    rows = check_model_gradients(relu_mlp(), rng.standard_normal((4, 2)), y, loss)
    *layers, loss_row = rows
    assert loss_row.node == f"loss ({loss.type_name})" and not loss_row.ok
    assert loss_row.input_error == pytest.approx(expected, rel=1e-3) and loss_row.grade == "wrong"
    assert all(row.ok and row.grade == "excellent" for row in layers), [(r.node, r.error) for r in layers]
