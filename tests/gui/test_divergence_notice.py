"""A diverging run is told once, and the telling leads to the Health tab's hint: the status bar's
warning sign appears a few steps after the loss blew up, a click on it shows the diverging hint
with its Why and its Apply (a lower learning rate), and the run's end adds one warning line to the
log. A run whose loss explodes never ends looking "completed" without a warning."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from desktop_app.project.document import ComponentRef
from tests.gui.runs import WAIT, example, start_long_run, stop_and_wait, train_to_end


def sign(window) -> QToolButton:
    return window.statusBar().findChild(QToolButton, "training_warning")


def warnings(window) -> list[str]:
    return [line for line in window.log_panel.lines() if "Warning:" in line]


def click_sign(qtbot, window):
    """Another tab in front, then the sign clicked: the Health panel it brought forward."""
    plots = window.training.plots
    plots.setCurrentWidget(plots.curves)
    qtbot.mouseClick(sign(window), Qt.MouseButton.LeftButton)
    assert plots.currentWidget() is window.training.health.panel
    return window.training.health.panel


@pytest.mark.parametrize(("learning_rate", "diverges"), [(1e6, True), (0.01, False)])
def test_a_diverged_run_has_one_warning_whose_sign_opens_the_health_hint(make_window, qtbot, learning_rate,
                                                                          diverges):
    window = make_window(example("spiral_mlp", epochs=2, optimizer=ComponentRef("adam", {
        "learning_rate": learning_rate})))
    train_to_end(qtbot, window)
    assert sign(window).isVisible() == diverges
    assert len(warnings(window)) == (1 if diverges else 0)  # one message, not a second beside the hint
    if not diverges:
        return
    [line] = warnings(window)
    assert "Warning: the loss diverged at epoch 1: " in line and "the Health tab" in line
    assert sign(window).toolTip().startswith("the loss diverged at epoch 1: ")
    assert "diverged at epoch 1" in window.training.progress.label.text()
    panel = click_sign(qtbot, window)
    assert panel.selected_hint().rule == "diverging"
    assert line.split("Warning: ")[1].startswith(panel.selected_hint().title)  # the same words
    assert "A smaller learning rate shortens every step" in panel.why.toPlainText()
    assert panel.apply.isEnabled() and panel.apply.text() == "Apply: Set the learning rate to 100000"
    qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)
    assert window.document.data["training"]["optimizer"]["config"]["learning_rate"] == 1e5


def test_the_sign_shows_while_the_run_goes_on_and_the_next_run_starts_without_it(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=100_000, optimizer=ComponentRef("adam", {
        "learning_rate": 10.0})))
    start_long_run(qtbot, window)
    qtbot.waitUntil(sign(window).isVisible, timeout=WAIT)
    assert window.training.controller.state == "running" and warnings(window) == []
    panel = click_sign(qtbot, window)
    assert panel.selected_hint().rule == "diverging"
    assert not panel.apply.isEnabled()  # a run locks the project: Apply waits for its end
    stop_and_wait(qtbot, window)
    assert len(warnings(window)) == 1
    window.document.edit("learning rate", lambda data: data["training"]["optimizer"]["config"].update(
        learning_rate=0.01))
    start_long_run(qtbot, window)
    assert not sign(window).isVisible()
    stop_and_wait(qtbot, window)
    assert not sign(window).isVisible()


def test_a_run_a_nan_loss_stopped_fails_and_its_sign_opens_the_non_finite_hint(make_window, qtbot, dialogs):
    window = make_window(example("sine_regression", epochs=3, optimizer=ComponentRef("sgd", {
        "learning_rate": 1e20})))
    train_to_end(qtbot, window)
    [(kind, title, text)] = dialogs.shown
    assert (kind, title) == ("warning", "Training failed") and "non-finite" in text
    assert sign(window).isVisible() and "non-finite" in sign(window).toolTip()
    panel = click_sign(qtbot, window)
    assert panel.selected_hint().rule == "diverging" and "overflowed" in panel.why.toPlainText()


def test_training_again_from_the_trained_weights_raises_no_sign(make_window, qtbot):
    """The second run starts far below an untrained network's loss: its wobbles are no divergence."""
    window = make_window(example("xor_mlp", epochs=300))
    for _ in range(3):
        train_to_end(qtbot, window)
        assert not sign(window).isVisible() and warnings(window) == []
