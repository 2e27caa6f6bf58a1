"""Runs in the window: a plugin's training hook that raises reaches the log and the run goes on;
the validation samples are the engine's split for the project's seed."""

from __future__ import annotations

import numpy as np

from desktop_app.engine.fit_data import split_indices
from desktop_app.hookspecs import hookimpl
from desktop_app.project import example_path, load_project

WAIT = 20_000  # ms: generous for a loaded machine


class EpochCrasher:
    @hookimpl
    def on_epoch_end(self, event):
        raise RuntimeError("the epoch counter fell over")


def train(qtbot, window) -> None:
    window.training.train.trigger()
    qtbot.waitUntil(lambda: window.training.controller.state == "idle", timeout=WAIT)


def problem_lines(window) -> list[str]:
    return [line for line in window.log_panel.lines() if "the epoch counter fell over" in line]


def test_a_raising_training_hook_is_logged_once_per_run_and_training_goes_on(make_window, qtbot,
                                                                                register_plugin):
    register_plugin(EpochCrasher(), "crasher")
    project = load_project(example_path("spiral_mlp"))
    project.training.epochs = 3
    window = make_window(project)
    train(qtbot, window)
    [line] = problem_lines(window)
    assert "crasher" in line and "on_epoch_end" in line
    assert window.training.controller.last_result.reason == "completed"
    assert window.training.controller.record.epochs_trained == 3
    train(qtbot, window)  # the same run resumed: its problems still reach this log
    assert len(problem_lines(window)) == 2
    assert window.training.controller.record.epochs_trained == 6


def test_the_window_validates_on_the_engine_split_of_the_projects_seed(make_window, qtbot):
    project = load_project(example_path("spiral_mlp"))
    project.training.epochs = 1
    window = make_window(project)
    train(qtbot, window)
    data = window.training.controller.trained_run().data
    _, expected = split_indices(len(data.dataset), project.training.validation_split, project.training.seed)
    np.testing.assert_array_equal(data.val_indices, expected)
