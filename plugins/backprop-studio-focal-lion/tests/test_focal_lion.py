"""The plugin's own tests: the math through desktop_app.testing, then registration in a host."""

import numpy as np
import pytest
from backprop_studio_focal_lion import FocalLoss, Lion, plugin

from desktop_app.engine.losses import CategoricalCrossentropy
from desktop_app.plugin_system import current_registry
from desktop_app.testing import check_loss, check_optimizer


@pytest.mark.parametrize("config", [{}, {"gamma": 0.0}, {"gamma": 0.5, "alpha": 0.25}, {"gamma": 5.0}])
def test_focal_loss_passes_the_loss_checks(config):
    check_loss(FocalLoss, config)


def test_focal_loss_accepts_one_hot_targets():
    pred = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    labels = np.array([2, 0, 1, 1])
    check_loss(FocalLoss, {}, pred, np.eye(3, dtype=np.float32)[labels])
    assert FocalLoss().forward(pred, np.eye(3)[labels]) == FocalLoss().forward(pred, labels)


def test_focal_loss_with_gamma_zero_is_cross_entropy():
    pred = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    labels = np.array([0, 1, 2, 3, 2, 1])
    focal, reference = FocalLoss(gamma=0.0), CategoricalCrossentropy()
    assert focal.forward(pred, labels) == pytest.approx(reference.forward(pred, labels), rel=1e-6)
    np.testing.assert_allclose(focal.backward(), reference.backward(), rtol=1e-5, atol=1e-7)


def test_focal_loss_weighs_easy_examples_less_than_cross_entropy():
    confident = np.array([[6.0, 0.0, 0.0]], dtype=np.float32)
    ratio = FocalLoss().forward(confident, [0]) / CategoricalCrossentropy().forward(confident, [0])
    assert ratio < 1e-4


def test_lion_lowers_a_quadratic():
    losses = check_optimizer(Lion, learning_rate=0.01)
    assert losses[-1] < 1e-3 * losses[0]


def test_lion_steps_by_the_sign_and_decays_the_weights():
    param = np.array([1.0, -1.0], dtype=np.float32)
    Lion(weight_decay=0.5).step({"w": param}, {"w": np.array([3.0, -0.001], np.float32)}, lr=0.1)
    np.testing.assert_allclose(param, [1.0 * 0.95 - 0.1, -1.0 * 0.95 + 0.1], rtol=1e-6)


def test_plugin_registers_the_loss_and_the_optimizer_with_their_pytorch_code(register_plugin):
    info = register_plugin(plugin, "focal_lion")
    assert info.problems == []
    assert info.contributes == {"losses": ["focal"], "optimizers": ["lion"],
                                "pytorch_code": ["focal", "lion"]}
    assert current_registry().losses["focal"] is FocalLoss
    assert current_registry().optimizers["lion"] is Lion
