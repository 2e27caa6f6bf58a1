"""Learning-rate schedules: exact rates at chosen steps."""

from __future__ import annotations

import math

import pytest

from desktop_app.engine.errors import ConfigError
from desktop_app.engine.schedules import (
    BUILTIN_SCHEDULES,
    Constant,
    CosineDecay,
    ExponentialDecay,
    StepDecay,
)


def test_names():
    assert [s.type_name for s in BUILTIN_SCHEDULES] == ["constant", "step", "exponential", "cosine"]


def test_constant():
    assert [Constant().rate(0.1, s, 10, 100) for s in (0, 57, 99)] == [0.1, 0.1, 0.1]


def test_step_decays_every_step_size_epochs():
    schedule = StepDecay(step_size=2, gamma=0.5)
    # 10 steps per epoch: steps 0-19 are epochs 0-1, 20-39 epochs 2-3, 40+ epoch 4.
    rates = [schedule.rate(0.8, s, 10, 100) for s in (0, 19, 20, 39, 40, 99)]
    assert rates == [0.8, 0.8, 0.4, 0.4, 0.2, 0.8 * 0.5**4]


def test_exponential_multiplies_by_gamma_per_epoch():
    schedule = ExponentialDecay(gamma=0.9)
    rates = [schedule.rate(1.0, s, 4, 40) for s in (0, 3, 4, 8, 11, 12)]
    assert rates == [1.0, 1.0, 0.9, 0.9**2, 0.9**2, 0.9**3]


def test_cosine_without_warmup():
    schedule = CosineDecay(min_lr=0.0)
    assert schedule.rate(0.2, 0, 10, 100) == 0.2
    assert schedule.rate(0.2, 50, 10, 100) == pytest.approx(0.1, abs=1e-15)
    assert schedule.rate(0.2, 25, 10, 100) == pytest.approx(0.1 * (1 + math.cos(math.pi / 4)))
    assert schedule.rate(0.2, 100, 10, 100) == pytest.approx(0.0, abs=1e-15)


def test_cosine_with_warmup_and_floor():
    schedule = CosineDecay(warmup_epochs=0.5, min_lr=0.01)  # 5 warm-up steps at 10 per epoch
    rates = [schedule.rate(0.11, s, 10, 105) for s in range(5)]
    assert rates == pytest.approx([0.022, 0.044, 0.066, 0.088, 0.11])
    assert schedule.rate(0.11, 5, 10, 105) == pytest.approx(0.11)
    assert schedule.rate(0.11, 55, 10, 105) == pytest.approx(0.06)  # half way through the cosine
    assert schedule.rate(0.11, 105, 10, 105) == pytest.approx(0.01)
    assert schedule.rate(0.11, 500, 10, 105) == pytest.approx(0.01)  # stays at the floor


def test_cosine_edges_as_documented():
    """docs/engine.md: warm-up starts at base_lr / w, w rounds half to even, and min_lr is reached
    one step after the last (step total_steps), not at the last."""
    assert CosineDecay(warmup_epochs=0.25).rate(0.1, 0, 10, 100) == pytest.approx(0.1 / 2)  # 2.5 -> 2
    assert CosineDecay(warmup_epochs=0.5).rate(0.1, 0, 3, 100) == pytest.approx(0.1 / 2)  # 1.5 -> 2
    schedule = CosineDecay(min_lr=0.01)
    assert schedule.rate(0.11, 99, 10, 100) > 0.01 + 1e-6
    assert schedule.rate(0.11, 100, 10, 100) == pytest.approx(0.01)


def test_bad_config_is_named():
    with pytest.raises(ConfigError, match=r"step: parameter 'step_size' must be >= 1\. Received: 0"):
        StepDecay(step_size=0)
    with pytest.raises(ConfigError, match="unknown parameter"):
        ExponentialDecay(decay=0.5)
