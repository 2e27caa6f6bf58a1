"""Every shipped example, trained as shipped, fires no health rule (the rules' false alarms).

Measured at every step: the window spaces its measurements by their cost, so which steps it
sees depends on the machine; a rule that stays quiet on every step stays quiet on those."""

from __future__ import annotations

import pytest

from desktop_app.engine.health import HealthMonitor, diagnose
from desktop_app.paths import EXAMPLES_DIR
from desktop_app.plugin_system import current_registry
from desktop_app.project import build_run, example_path, load_project


@pytest.mark.parametrize("path", sorted(EXAMPLES_DIR.glob("*.bps.json")), ids=lambda path: path.name)
def test_a_shipped_example_trains_without_a_health_hint(path):
    run = build_run(load_project(path), registry=current_registry())
    monitor = HealthMonitor.attach(run.trainer, every=1, budget=None)
    run.fit()
    record = monitor.record()
    assert record.steps.tolist() == list(range(1, len(record.steps) + 1)) and len(record.steps) > 100
    assert [hint.line() for hint in diagnose(record)] == []


@pytest.mark.parametrize("name", ["xor_mlp", "spiral_mlp", "residual_mlp"])
def test_a_shipped_example_trained_again_is_not_diverging(name):
    """Trained again from its trained weights (the window's Train after a run), a classifier's loss
    wobbles far above its first batch's, yet far below an untrained network's: no divergence."""
    run = build_run(load_project(example_path(name)), registry=current_registry())
    run.fit()
    for _ in range(2):
        monitor = HealthMonitor.attach(run.trainer, every=1, budget=None)
        history = run.fit()
        run.trainer.callbacks.remove(monitor)
        assert history.divergence is None
        assert "diverging" not in {hint.rule for hint in diagnose(monitor.record())}
