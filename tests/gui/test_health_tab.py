"""The Health tab through the window: a run's hints with their Why, badges on the canvas, and
Apply as one undoable edit that makes the next run better."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_app.gui.health.feed import HealthUpdate
from desktop_app.gui.health.panel import ALL_CLEAR
from desktop_app.project import example_path, load_project
from desktop_app.project.document import ComponentRef
from tests.gui.runs import WAIT, example, start_long_run, stop_and_wait, train_to_end

TOO_HIGH = ComponentRef("sgd", {"learning_rate": 5.0})
DIVERGING = ComponentRef("adam", {"learning_rate": 10.0})

pytestmark = pytest.mark.usefixtures("fixed_health_schedule")


def health_tab(window):
    plots = window.training.plots
    plots.setCurrentWidget(window.training.health.panel)
    return window.training.health.panel


def hint_rules(panel):
    return [panel.hints.item(row).data(Qt.ItemDataRole.UserRole).rule for row in range(panel.hints.count())]


def test_a_too_high_learning_rate_is_explained_and_applying_the_fix_trains_better(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=60, optimizer=TOO_HIGH))
    panel = health_tab(window)
    train_to_end(qtbot, window)
    qtbot.waitUntil(lambda: "learning_rate_high" in hint_rules(panel))
    first_loss = window.training.controller.last_result.history.epochs[-1].loss
    panel.hints.setCurrentRow(hint_rules(panel).index("learning_rate_high"))
    assert "about 10^-3 is healthy" in panel.why.toPlainText()
    assert panel.apply.isEnabled() and panel.apply.text() == "Apply: Set the learning rate to 0.5"
    table = {panel.table.item(row, 0).text(): row for row in range(panel.table.rowCount())}
    assert set(table) == {"hidden_1", "relu_1", "hidden_2", "relu_2", "logits"}
    ratio = float(panel.table.item(table["logits"], 4).text())
    assert ratio > -1.5  # log10 of an update over a tenth of the weights

    qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)
    document = window.document
    assert document.data["training"]["optimizer"]["config"]["learning_rate"] == 0.5
    assert document.undo_stack.undoText() == "Set the learning rate to 0.5"
    document.undo_stack.undo()
    assert document.data["training"]["optimizer"]["config"]["learning_rate"] == 5.0
    document.undo_stack.redo()
    window.training.reset.setEnabled(True)
    window.training.controller.reset_weights()
    train_to_end(qtbot, window)
    second_loss = window.training.controller.last_result.history.epochs[-1].loss
    assert second_loss < first_loss
    qtbot.waitUntil(lambda: "learning_rate_high" not in hint_rules(panel))


def test_a_dead_or_saturated_layer_gets_a_badge_on_its_node(make_window, qtbot):
    window = make_window(example("xor_mlp", epochs=30, optimizer=TOO_HIGH))
    panel = health_tab(window)
    train_to_end(qtbot, window)
    qtbot.waitUntil(lambda: "saturated" in hint_rules(panel))
    badges = window.training.health.badges.badges
    assert set(badges) == {"tanh"}
    assert badges["tanh"].parentItem() is window.designer.scene.nodes["tanh"]
    assert "saturated" in badges["tanh"].toolTip()
    row = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())].index("tanh")
    assert panel.table.item(row, 2).text().startswith("⚠")
    panel.hints.setCurrentRow(hint_rules(panel).index("saturated"))
    assert panel.apply.text() == "Apply: Replace 'tanh' with ReLU"
    qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)
    types = {node["name"]: node["type"] for node in window.document.data["model"]["nodes"]}
    assert types["tanh"] == "ReLU"
    window.document.undo_stack.undo()
    assert {node["name"]: node["type"] for node in window.document.data["model"]["nodes"]}["tanh"] == "Tanh"


def test_a_healthy_run_shows_no_hint_and_no_badge(make_window, qtbot):
    window = make_window(example("digits_mlp", epochs=2))
    panel = health_tab(window)
    train_to_end(qtbot, window)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 3)
    assert panel.hints.count() == 0 and not panel.apply.isEnabled()
    assert window.training.health.badges.badges == {}
    # the check ran: one line says so, outside the hints list (nothing to select or apply)
    assert panel.all_clear.isVisible() and panel.all_clear.text() == ALL_CLEAR


def test_another_project_loaded_forgets_the_hints_and_badges(make_window, qtbot):
    window = make_window(example("xor_mlp", epochs=30, optimizer=TOO_HIGH))
    panel = health_tab(window)
    train_to_end(qtbot, window)
    qtbot.waitUntil(lambda: "saturated" in hint_rules(panel))
    assert not panel.all_clear.isVisible()  # hints: no "no problems" line beside them
    window.document.replace(load_project(example_path("digits_mlp")))
    assert panel.hints.count() == 0 and panel.table.rowCount() == 0 and not panel.apply.isEnabled()
    assert not panel.all_clear.isVisible()  # nothing measured yet: nothing found either
    assert window.training.health.badges.badges == {}


def test_findings_that_came_while_the_tab_was_hidden_show_when_it_is_opened(make_window, qtbot):
    """The plots redraw a tab when the training record changed; findings can come after it did."""
    window = make_window(example("xor_mlp", epochs=30, optimizer=TOO_HIGH))
    panel = health_tab(window)
    train_to_end(qtbot, window)
    qtbot.waitUntil(lambda: "saturated" in hint_rules(panel))
    plots = window.training.plots
    plots.setCurrentWidget(plots.curves)
    latest = panel.latest
    window.training.controller.health.updated.emit(HealthUpdate(latest.record, (), True))  # all clear
    plots.setCurrentWidget(panel)
    assert hint_rules(panel) == []


def test_hints_come_while_the_run_goes_and_apply_waits_for_its_end(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=10_000, optimizer=TOO_HIGH))
    panel = health_tab(window)
    start_long_run(qtbot, window)
    # in its first 70 steps the rule comes and goes (see fixed_health_schedule); from there on it
    # stays, so the run's findings when it is stopped soon after still have it
    qtbot.waitUntil(lambda: "learning_rate_high" in hint_rules(panel)
                    and panel.latest.record.steps[-1] >= 100, timeout=WAIT)
    panel.hints.setCurrentRow(hint_rules(panel).index("learning_rate_high"))
    assert panel.apply.text() == "Apply: Set the learning rate to 0.5" and not panel.apply.isEnabled()
    assert not window.training.health.apply(panel.selected_hint())  # the run locks the project
    stop_and_wait(qtbot, window)
    assert panel.apply.isEnabled()


def test_the_chosen_hint_is_chosen_again_when_it_comes_back_after_an_update_without_it(make_window, qtbot):
    """A rule near its threshold comes and goes between updates; the user's choice stays theirs."""
    window = make_window(example("spiral_mlp", epochs=60, optimizer=TOO_HIGH))
    panel = health_tab(window)
    train_to_end(qtbot, window)
    qtbot.waitUntil(lambda: {"learning_rate_high", "no_learning"} <= set(hint_rules(panel)))
    final = panel.latest
    chosen = hint_rules(panel).index("learning_rate_high")
    panel.hints.setCurrentRow(chosen)
    assert panel.apply.isEnabled()
    feed = window.training.controller.health.updated
    without = tuple(hint for hint in final.hints if hint.rule != "learning_rate_high")
    feed.emit(HealthUpdate(final.record, without, True))
    assert panel.selected_hint().rule == without[0].rule
    feed.emit(HealthUpdate(final.record, final.hints, True))
    assert panel.selected_hint().rule == "learning_rate_high"
    assert panel.apply.isEnabled() and panel.apply.text() == "Apply: Set the learning rate to 0.5"
    assert "about 10^-3 is healthy" in panel.why.toPlainText()


def test_an_applied_fix_is_shown_applied_until_the_next_run_and_offered_again_after_undo(make_window, qtbot):
    """The hint is about the last run: a second click must not divide the learning rate again."""
    window = make_window(example("spiral_mlp", epochs=2, optimizer=DIVERGING))
    panel = health_tab(window)
    train_to_end(qtbot, window)
    qtbot.waitUntil(lambda: "diverging" in hint_rules(panel))
    panel.select("diverging")
    assert panel.apply.isEnabled() and panel.apply.text() == "Apply: Set the learning rate to 1"
    qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)
    optimizer = window.document.data["training"]["optimizer"]["config"]
    assert optimizer["learning_rate"] == 1.0
    assert panel.apply.text() == "Applied: Set the learning rate to 1 (train again to see)"
    assert not panel.apply.isEnabled()
    qtbot.mouseClick(panel.apply, Qt.MouseButton.LeftButton)  # a second click does nothing
    assert optimizer["learning_rate"] == 1.0
    window.document.undo_stack.undo()
    assert panel.apply.isEnabled() and panel.apply.text() == "Apply: Set the learning rate to 1"
    window.document.undo_stack.redo()
    assert not panel.apply.isEnabled() and panel.apply.text().startswith("Applied: ")
    latest = panel.latest
    window.training.health.set_idle(False)  # the next run starts: its own findings, its own fixes
    window.training.health.set_idle(True)
    window.training.controller.health.updated.emit(latest)  # the same hint, from the new run
    panel.select("diverging")
    assert panel.apply.isEnabled() and panel.apply.text() == "Apply: Set the learning rate to 0.1"
