"""The health feed tells the window of a diverging loss at the step the monitor finds it, not at
the next measurement (which on a small network can be a hundred steps later)."""

from __future__ import annotations

from desktop_app.gui.health.feed import HealthFeed
from desktop_app.plugin_system import current_registry
from desktop_app.project import RunOverrides, build_run, example_path, load_project


class Steps:
    """The step the run is at, for the feed's listeners (it runs before the feed)."""

    def __init__(self) -> None:
        self.step = 0

    def on_batch_end(self, event) -> None:
        self.step = event.step


def test_a_diverging_loss_is_reported_at_the_step_it_is_found(qapp):
    run = build_run(load_project(example_path("spiral_mlp")),
                    RunOverrides(epochs=1, batch_size=4, learning_rate=10.0), registry=current_registry())
    feed = HealthFeed(interval=0.0)  # every measured step is reported too
    feed.watch(run)
    steps = Steps()
    run.trainer.callbacks.insert(1, steps)
    reported = []
    feed.updated.connect(lambda update: reported.append(
        (steps.step, {hint.rule for hint in update.hints})))
    run.fit()
    first = next(step for step, rules in reported if "diverging" in rules)
    assert first == feed.monitor.record().step_divergence.step == 3
    assert 3 not in feed.monitor.record().steps  # not a measured step: reported for the divergence
    assert [step for step, _rules in reported].count(3) == 1  # and once
