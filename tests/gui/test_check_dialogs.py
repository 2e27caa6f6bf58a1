"""Training > Check… and Check Gradients: the work runs in the background, results fill in, and
"Use this learning rate" is one undoable edit of the project."""

from __future__ import annotations

from PySide6.QtCore import QThreadPool

from desktop_app.engine.gradcheck import GRADE_BANDS, WRONG_GRADE
from tests.gui.runs import WAIT, example, train_to_end


def test_check_shows_the_sanity_checks_and_the_range_plot_and_applies_the_rate(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=2))
    checks, document = window.training.checks, window.document
    assert checks.check.isEnabled()
    dialog = checks.open_check()
    assert not dialog.use.isEnabled()  # the work is under way; the window is free meanwhile
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=WAIT)
    assert dialog.sanity.ok
    assert dialog.initial_loss.text().startswith("✔ Loss at initialization")
    assert dialog.overfit.text().startswith("✔ Overfit 20 samples") and "near zero" in dialog.overfit.text()
    suggestion = dialog.result.suggestion
    assert suggestion is not None and f"Suggested learning rate: {suggestion:.3g}" in dialog.summary.text()
    drawn = [item for item in dialog.plot.items if hasattr(item, "label")]  # the suggestion's marker
    assert len(drawn) == 1 and abs(10 ** drawn[0].value() - suggestion) < 1e-12
    before = document.data["training"]["optimizer"]["config"]["learning_rate"]
    depth = document.undo_stack.count()
    dialog.use.click()
    rate = float(f"{suggestion:.3g}")
    assert document.data["training"]["optimizer"]["config"]["learning_rate"] == rate
    assert document.undo_stack.count() == depth + 1
    assert window.training.learning_rate.value() == rate
    document.undo_stack.undo()
    assert document.data["training"]["optimizer"]["config"]["learning_rate"] == before


def test_check_is_unavailable_while_a_run_is_on(make_window, qtbot):
    window = make_window(example("digits_cnn", epochs=50))
    checks = window.training.checks
    window.training.train.trigger()
    assert not checks.check.isEnabled() and not checks.gradients.isEnabled()
    window.training.stop.trigger()
    qtbot.waitUntil(lambda: window.training.controller.state == "idle", timeout=WAIT)
    assert checks.check.isEnabled() and checks.gradients.isEnabled()


def test_check_gradients_rows_every_layer_and_the_loss_of_the_trained_network(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=1))
    train_to_end(qtbot, window)
    dialog = window.training.checks.open_gradients()
    qtbot.waitUntil(lambda: dialog.rows is not None, timeout=WAIT)
    nodes = [node["name"] for node in window.document.data["model"]["nodes"] if node["type"] != "Input"]
    table = dialog.table
    names = [table.item(row, 0).text() for row in range(table.rowCount())]
    assert names == [*nodes, "loss (categorical_crossentropy)"]
    grades = {name for _, name in GRADE_BANDS} | {WRONG_GRADE, "-"}
    assert all(table.item(row, 4).text() in grades for row in range(table.rowCount()))
    assert all(table.item(row, 5).text() == "ok" for row in range(table.rowCount()))
    assert dialog.status.text().endswith(f"All {len(nodes)} layers and the loss pass.")


def test_closing_check_while_it_works_stops_the_work(make_window, qtbot):
    window = make_window(example("digits_cnn", epochs=1))
    dialog = window.training.checks.open_check()
    cancel = dialog._cancel
    dialog.close()  # deleted on close: the results go nowhere
    assert cancel.is_set()
    QThreadPool.globalInstance().waitForDone(WAIT)
    assert window.training.checks.check.isEnabled()
