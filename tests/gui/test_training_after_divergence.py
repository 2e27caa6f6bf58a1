"""After a run whose loss diverged, Train starts again from the initial weights: continuing from
the wrecked ones, even at the lower learning rate the Health tab applied, trains dead ReLUs."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktop_app.plugin_system import current_registry
from desktop_app.project import build_run
from tests.gui.runs import example, train_to_end
from tests.gui.test_health_tab import DIVERGING, health_tab, hint_rules

pytestmark = pytest.mark.usefixtures("fixed_health_schedule")  # the hint it applies, measured alike
RESTART = "The last run diverged: training starts again from the initial weights."


def test_after_a_diverged_run_and_the_applied_fix_training_starts_from_the_initial_weights(make_window,
                                                                                            qtbot):
    window = make_window(example("spiral_mlp", epochs=5, optimizer=DIVERGING))
    panel = health_tab(window)
    controller = window.training.controller
    train_to_end(qtbot, window)
    qtbot.waitUntil(lambda: "diverging" in hint_rules(panel))
    diverged_loss = controller.last_result.history.epochs[-1].loss
    panel.select("diverging")
    qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)
    assert window.document.data["training"]["optimizer"]["config"]["learning_rate"] == 1.0

    how, run = controller.next_run()
    fresh = build_run(window.document.project(), registry=current_registry())
    initial = fresh.model.get_weights()
    assert how == "fresh"
    assert initial.keys() == run.model.get_weights().keys()
    for key, value in initial.items():
        np.testing.assert_array_equal(run.model.get_weights()[key], value)

    train_to_end(qtbot, window)
    assert sum(RESTART in line for line in window.log_panel.lines()) == 1
    final_loss = controller.last_result.history.epochs[-1].loss
    assert final_loss < diverged_loss
    assert final_loss == pytest.approx(fresh.fit().epochs[-1].loss)  # the very run a fresh start trains
