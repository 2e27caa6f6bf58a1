"""Training > Live Settings: momentum, weight decay and a Dropout rate changed during a run reach
the running network, are undoable project edits, are marked on the loss plot, and the run goes on
as the same run."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop_app.project import load_project
from tests.gui.runs import WAIT, example, start_long_run, stop_and_wait


def with_dropout(tmp_path):
    """The digits CNN (Adam) with a Dropout node before its logits."""
    data = example("digits_cnn", epochs=200).to_json()
    nodes = data["model"]["nodes"]
    logits = next(node for node in nodes if node["name"] == "logits")
    nodes.insert(-1, {"name": "drop", "type": "Dropout", "config": {"rate": 0.5}, "inputs": ["relu_2"],
                      "position": {"x": 1170, "y": 0}})
    logits["inputs"] = ["drop"]
    path = tmp_path / "dropout.bps.json"
    path.write_text(json.dumps(data))
    return load_project(path)


def drop_rate(document) -> float:
    return next(n for n in document.data["model"]["nodes"] if n["name"] == "drop")["config"]["rate"]


def commit(qtbot, editor, text: str) -> None:
    """Type ``text`` over the editor's value and press Enter (commits it, the dialog stays open)."""
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_live_settings_reach_the_run_are_undoable_and_marked(make_window, qtbot, dialogs, tmp_path):
    window = make_window(with_dropout(tmp_path))
    knobs, document = window.training.live_knobs, window.document
    assert not knobs.action.isEnabled()  # between runs the inspector edits these
    controller = start_long_run(qtbot, window)
    assert knobs.action.isEnabled()
    dialog = knobs.open()
    assert set(dialog.editors) == {"Momentum (beta 1)", "Weight decay", "Dropout rate (drop)"}
    depth = document.undo_stack.count()
    for label, text in (("Weight decay", "0.001"), ("Dropout rate (drop)", "0.1")):
        commit(qtbot, dialog.editors[label], text)
        assert dialog.isVisible()
    assert document.undo_stack.count() == depth + 2
    assert document.data["training"]["optimizer"]["config"]["weight_decay"] == 0.001
    assert drop_rate(document) == 0.1
    assert [mark.label.format for mark in knobs.marks] == ["weight decay 0.001", "dropout rate (drop) 0.1"]
    assert all(mark in window.training.plots.curves.loss_plot.items for mark in knobs.marks)
    running = controller.bridge.run  # the trainer takes the requests before its next batch
    qtbot.waitUntil(lambda: running.optimizer.config["weight_decay"] == 0.001
                    and running.model.layers["drop"].config["rate"] == 0.1, timeout=WAIT)
    stop_and_wait(qtbot, window)
    run = controller.trained_run()
    assert run.optimizer.config["weight_decay"] == 0.001 and run.model.layers["drop"].config["rate"] == 0.1
    messages = []
    controller.message.connect(lambda text, _level: messages.append(text))
    start_long_run(qtbot, window)  # the same run resumes: the network did not change under it
    assert not any("network changed" in text for text in messages)
    stop_and_wait(qtbot, window)
    marks = list(knobs.marks)
    assert len(marks) == 2
    dialogs.answer = QMessageBox.StandardButton.Reset
    window.training.reset.trigger()
    assert knobs.marks == []
    assert not any(mark in window.training.plots.curves.loss_plot.items for mark in marks)
    document.undo_stack.undo()
    assert drop_rate(document) == 0.5


def type_into(qtbot, editor, text: str) -> None:
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_a_learning_rate_changed_during_a_run_is_marked_like_the_live_settings(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=100_000))
    knobs, box = window.training.live_knobs, window.training.learning_rate
    loss_plot = window.training.plots.curves.loss_plot
    type_into(qtbot, box, "0.02")  # between runs: a project edit, nothing to mark
    assert knobs.marks == []
    controller = start_long_run(qtbot, window)
    qtbot.waitUntil(lambda: len(controller.record.batches.view()) > 0, timeout=WAIT)
    reached = float(controller.record.batches.view()[-1, 0])
    type_into(qtbot, box, "0.001")
    type_into(qtbot, knobs.open().editors["Weight decay"], "0.0001")
    assert [mark.label.format for mark in knobs.marks] == ["learning rate 0.001", "weight decay 0.0001"]
    assert all(mark in loss_plot.items for mark in knobs.marks)
    assert knobs.marks[0].value() >= reached and knobs.marks[0].angle == 90
    assert [mark.label.orthoPos for mark in knobs.marks] == [0.9, 0.7]  # labels not over each other
    with qtbot.waitSignal(controller.progressed, timeout=WAIT):
        pass  # batches after the requests: they were taken before them
    stop_and_wait(qtbot, window)
    assert controller.trained_run().optimizer.config["learning_rate"] == 0.001


def test_settings_changed_just_before_a_stop_are_the_kept_runs(make_window, qtbot, tmp_path):
    """A stop may end the run before any batch took the changes (parked by a pause, none can): the
    kept run, which the next Train resumes as the project's, has them all the same."""
    window = make_window(with_dropout(tmp_path))
    ui = window.training
    controller = start_long_run(qtbot, window)
    ui.pause.trigger()
    assert controller.control.wait_until_paused(WAIT / 1000)
    dialog = window.training.live_knobs.open()
    commit(qtbot, dialog.editors["Dropout rate (drop)"], "0.1")
    commit(qtbot, dialog.editors["Weight decay"], "0.001")
    ui.learning_rate.setText("0.25")
    ui.learning_rate.editingFinished.emit()
    stop_and_wait(qtbot, window)
    run = controller.trained_run()
    assert run.model.layers["drop"].config["rate"] == 0.1
    assert run.optimizer.config["weight_decay"] == 0.001 and run.optimizer.config["learning_rate"] == 0.25
    assert controller.next_run()[0] == "resume"
