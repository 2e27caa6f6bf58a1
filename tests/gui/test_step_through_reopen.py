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


def test_a_checks_result_does_not_move_the_views_under_the_mouse(make_window, qtbot):
    """The three lines of a finite-difference result pushed the arrays down by two lines: the
    next click landed on another cell."""
    window = make_window(example("digits_mlp", epochs=1))
    dialog = open_step_through(window, qtbot)
    dialog.resize(900, 800)
    row = next(i for i, step in enumerate(dialog.steps)
               if step.phase == "backward" and any(panel.weight_key for panel in step.panels))
    dialog.step_list.setCurrentRow(row)
    scroll = dialog.panels.parentWidget().parentWidget()
    qtbot.waitUntil(scroll.isVisible)
    qtbot.wait(50)  # the layout settles
    before = scroll.mapTo(dialog, scroll.rect().topLeft()).y()
    panel = next(panel for panel in dialog.steps[row].panels if panel.weight_key)
    assert dialog.check(panel.weight_key, (0,) * panel.array.ndim) is not None
    qtbot.wait(50)  # the layout settles
    assert scroll.mapTo(dialog, scroll.rect().topLeft()).y() == before
