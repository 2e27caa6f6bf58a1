"""Optimizers: hand-computed steps, float64 references of the published rules, a quadratic
minimized by each, weight decay, and clipping by global norm."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.engine.errors import ConfigError
from desktop_app.engine.optimizers import BUILTIN_OPTIMIZERS, SGD, Adagrad, Adam, AdamW, RMSprop


def _reference_run(name: str, config: dict, param: np.ndarray, grads: list[np.ndarray]) -> np.ndarray:
    """The textbook update rules written out plainly, in float64, one step per gradient."""
    p = param.astype(np.float64).copy()
    lr, wd = config["learning_rate"], config.get("weight_decay", 0.0)
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    acc = np.full_like(p, config.get("initial_accumulator", 0.0))
    for t, g in enumerate(grads, start=1):
        g = g.astype(np.float64)
        if name != "adamw":
            g = g + wd * p
        if name == "sgd":
            mu = config.get("momentum", 0.0)
            m = mu * m + g if t > 1 else g.copy()
            step = g + mu * m if config.get("nesterov") else m
            p = p - lr * step
        elif name in ("adam", "adamw"):
            if name == "adamw":
                p = p - lr * wd * p
            b1, b2, eps = config["beta_1"], config["beta_2"], config["epsilon"]
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
            p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        elif name == "rmsprop":
            v = config["rho"] * v + (1 - config["rho"]) * g * g
            p = p - lr * g / (np.sqrt(v) + config["epsilon"])
        elif name == "adagrad":
            acc = acc + g * g
            p = p - lr * g / (np.sqrt(acc) + config["epsilon"])
    return p


CASES = [
    ("sgd", {"learning_rate": 0.1}),
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9}),
    ("sgd", {"learning_rate": 0.1, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01}),
    ("adam", {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    ("adam", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3, "weight_decay": 0.1}),
    ("adamw", {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.99, "epsilon": 1e-7, "weight_decay": 0.1}),
    ("rmsprop", {"learning_rate": 0.01, "rho": 0.9, "epsilon": 1e-7}),
    ("adagrad", {"learning_rate": 0.1, "initial_accumulator": 0.1, "epsilon": 1e-7, "weight_decay": 0.05}),
]


def _make(name: str, config: dict):
    return {cls.type_name: cls for cls in BUILTIN_OPTIMIZERS}[name](**config)


@pytest.mark.parametrize(("name", "config"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_matches_the_float64_reference(name, config):
    rng = np.random.default_rng(1)
    start = rng.standard_normal((3, 4))
    grads = [rng.standard_normal((3, 4)) for _ in range(5)]
    optimizer = _make(name, config)
    param = start.copy()
    for g in grads:
        optimizer.step({"w": param}, {"w": g}, config["learning_rate"])
    np.testing.assert_allclose(param, _reference_run(name, config, start, grads), rtol=1e-10, atol=1e-12)


def test_sgd_momentum_by_hand():
    param = np.array([1.0, -2.0], dtype=np.float32)
    optimizer = SGD(learning_rate=0.5, momentum=0.5)
    optimizer.step({"w": param}, {"w": np.array([2.0, 4.0], dtype=np.float32)}, 0.5)
    np.testing.assert_array_equal(param, [0.0, -4.0])  # v = g, p -= 0.5 v
    optimizer.step({"w": param}, {"w": np.array([2.0, 0.0], dtype=np.float32)}, 0.5)
    np.testing.assert_array_equal(param, [-1.5, -5.0])  # v = 0.5 [2, 4] + [2, 0] = [3, 2]
    assert param.dtype == np.float32


def test_adam_first_step_moves_each_weight_by_the_learning_rate():
    # With bias correction, step 1 is lr * g / (|g| + eps'): +-lr whatever the gradient's scale.
    param = np.zeros(3, dtype=np.float32)
    grad = np.array([1e-3, -5.0, 70.0], dtype=np.float32)
    Adam(learning_rate=0.01, epsilon=0.0).step({"w": param}, {"w": grad}, 0.01)
    np.testing.assert_allclose(param, [-0.01, 0.01, -0.01], rtol=1e-6)


@pytest.mark.parametrize("cls", BUILTIN_OPTIMIZERS)
def test_updates_stay_in_place_and_float32(cls):
    param = np.ones((4, 4), dtype=np.float32)
    before = param
    optimizer = cls(learning_rate=0.01, weight_decay=0.01, clip_norm=1.0)
    for _ in range(3):
        optimizer.step({"w": param}, {"w": np.full((4, 4), 0.5, dtype=np.float32)}, 0.01)
    assert param is before
    assert param.dtype == np.float32
    assert all(slot.dtype == np.float32 for slot in optimizer.slots["w"].values())
    assert not np.array_equal(param, np.ones((4, 4)))


@pytest.mark.parametrize("cls", BUILTIN_OPTIMIZERS)
def test_minimizes_a_quadratic(cls):
    # f(w) = 0.5 * sum(a * (w - c)^2), badly conditioned: a spans two orders of magnitude.
    a = np.array([0.5, 5.0, 50.0], dtype=np.float32)
    c = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    w = np.zeros(3, dtype=np.float32)
    lr = {"sgd": 0.02, "adagrad": 0.5}.get(cls.type_name, 0.05)
    extra = {"momentum": 0.9} if cls is SGD else {}
    optimizer = cls(learning_rate=lr, weight_decay=0.0, **extra)
    start = float(0.5 * np.sum(a * (w - c) ** 2))
    for _ in range(600):
        optimizer.step({"w": w}, {"w": a * (w - c)}, lr)
    assert float(0.5 * np.sum(a * (w - c) ** 2)) < 1e-3 * start
    np.testing.assert_allclose(w, c, atol=0.05)


@pytest.mark.parametrize("cls", [c for c in BUILTIN_OPTIMIZERS if c is not AdamW])
def test_coupled_weight_decay_is_added_to_the_gradient(cls):
    # A zero gradient with decay wd must give the same step as a gradient of wd * w without decay.
    w_decay = np.array([2.0, -1.0])
    w_plain = w_decay.copy()
    cls(learning_rate=0.1, weight_decay=0.3).step({"w": w_decay}, {"w": np.zeros(2)}, 0.1)
    cls(learning_rate=0.1).step({"w": w_plain}, {"w": 0.3 * np.array([2.0, -1.0])}, 0.1)
    np.testing.assert_allclose(w_decay, w_plain, rtol=1e-12)


def test_adamw_decay_is_decoupled_from_the_gradient():
    assert AdamW.couples_weight_decay is False
    assert AdamW().config["weight_decay"] == 0.01
    # A zero gradient leaves Adam's step at zero: only the decay p *= (1 - lr * wd) acts.
    w = np.array([2.0, -1.0])
    AdamW(learning_rate=0.1, weight_decay=0.5).step({"w": w}, {"w": np.zeros(2)}, 0.1)
    np.testing.assert_allclose(w, np.array([2.0, -1.0]) * (1 - 0.1 * 0.5))
    # Coupled Adam would normalize the same decay away into a full +-lr step.
    w_adam = np.array([2.0, -1.0])
    Adam(learning_rate=0.1, weight_decay=0.5).step({"w": w_adam}, {"w": np.zeros(2)}, 0.1)
    np.testing.assert_allclose(w_adam, [1.9, -0.9], rtol=1e-6)


def test_clipping_scales_all_gradients_by_the_global_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([0.0, 4.0])}  # global norm 5
    params = {"a": np.zeros(2), "b": np.zeros(2)}
    SGD(learning_rate=1.0, clip_norm=1.0).step(params, grads, 1.0)
    np.testing.assert_allclose(params["a"], [-0.6, 0.0])
    np.testing.assert_allclose(params["b"], [0.0, -0.8])
    np.testing.assert_array_equal(grads["a"], [3.0, 0.0])  # the gradients themselves are untouched


def test_clipping_leaves_small_gradients_alone_and_uses_a_given_norm():
    params = {"a": np.zeros(2)}
    SGD(learning_rate=1.0, clip_norm=10.0).step(params, {"a": np.array([3.0, 4.0])}, 1.0)
    np.testing.assert_allclose(params["a"], [-3.0, -4.0])
    params = {"a": np.zeros(2)}
    SGD(learning_rate=1.0, clip_norm=1.0).step(params, {"a": np.array([3.0, 4.0])}, 1.0, global_norm=2.0)
    np.testing.assert_allclose(params["a"], [-1.5, -2.0])


def test_learning_rate_argument_is_the_one_used():
    w = np.array([1.0])
    SGD(learning_rate=0.5).step({"w": w}, {"w": np.array([1.0])}, 0.25)
    assert w[0] == 0.75


def test_config_round_trips_and_errors_are_named():
    for cls in BUILTIN_OPTIMIZERS:
        optimizer = cls()
        assert cls(**optimizer.get_config()).get_config() == optimizer.get_config()
    assert Adam().config["learning_rate"] == 0.001
    assert RMSprop().config["learning_rate"] == 0.001
    assert SGD().config["learning_rate"] == 0.01
    assert Adagrad().config["initial_accumulator"] == 0.1
    with pytest.raises(ConfigError, match="nesterov needs momentum > 0"):
        SGD(nesterov=True)
    with pytest.raises(ConfigError, match=r"adam: parameter 'beta_1' must be <= 0.9999\. Received: 1\.5"):
        Adam(beta_1=1.5)


def test_reset_forgets_the_moments():
    optimizer = Adam()
    w = np.ones(2, dtype=np.float32)
    optimizer.step({"w": w}, {"w": np.ones(2, dtype=np.float32)}, 0.001)
    optimizer.reset()
    assert optimizer.slots == {} and optimizer.iterations == 0
