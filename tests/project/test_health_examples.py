"""Every shipped example, trained as shipped, fires no health rule (the rules' false alarms)."""

from __future__ import annotations

import pytest

from desktop_app.engine.health import HealthMonitor, diagnose
from desktop_app.paths import EXAMPLES_DIR
from desktop_app.plugin_manager import current_registry
from desktop_app.project import build_run, load_project


@pytest.mark.parametrize("path", sorted(EXAMPLES_DIR.glob("*.bps.json")), ids=lambda path: path.name)
def test_a_shipped_example_trains_without_a_health_hint(path):
    run = build_run(load_project(path), registry=current_registry())
    monitor = HealthMonitor.attach(run.trainer)
    run.fit()
    record = monitor.record()
    assert len(record.steps) > 10 and record.layers
    assert [hint.line() for hint in diagnose(record)] == []
