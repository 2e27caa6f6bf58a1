"""Step Through as a teacher uses it between runs: Escape leaves the canvas clean, and opening it
again after the weights changed shows a fresh step instead of an empty dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.runs import example


def open_step_through(window, qtbot):
    window.step_through.action.trigger()
    dialog = window.step_through.dialog
    qtbot.waitExposed(dialog)
    return dialog


def test_escape_clears_the_canvas_marks(make_window, qtbot):
    window = make_window(example("digits_mlp", epochs=1))
    dialog = open_step_through(window, qtbot)
    assert dialog.marks.items
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert not dialog.marks.items


def test_opening_again_after_the_weights_changed_records_a_new_step(make_window, qtbot):
    window = make_window(example("digits_mlp", epochs=1))
    dialog = open_step_through(window, qtbot)
    dialog.close()
    window.training.controller.forget()  # Reset Weights, or another project opened
    assert not dialog.steps
    assert open_step_through(window, qtbot) is dialog
    assert dialog.steps and dialog.status.text().startswith("32 training samples")
