"""The run's progress in the status bar (the numbers on show while paused, drawn from the event loop,
rate-limited by the training part's clock), what a weight reset leaves behind, and when Train is
enabled."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QMessageBox, QProgressBar, QStatusBar

from desktop_app.engine.callbacks import RunInfo
from desktop_app.gui.training.bridge import Progress
from desktop_app.gui.training.predictions import TRAINED, UNTRAINED
from desktop_app.gui.training.progress import UPDATE_SECONDS, ProgressDisplay, set_later
from tests.gui.runs import WAIT, example, train_to_end


def progress_at(epoch: int, batch: int, step: int) -> Progress:
    return Progress(np.array([step]), np.ones(1), np.full(1, 0.01), np.ones((1, 1)), epoch, batch, step,
                    step * 32, 1.0, (), None)


def test_the_batches_that_arrive_after_a_pause_are_what_the_status_bar_shows(qtbot):
    """The bridge flushes the last batches when the run parks, right after the previous update:
    the label must show them, not the batch of a quarter second earlier."""
    status = QStatusBar()
    qtbot.addWidget(status)
    display = ProgressDisplay(status)
    info = RunInfo(500, 32, 45, 500 * 45, 1440, 0, ("dense/kernel",), (), 0)
    display.start(info)
    display.update(info, progress_at(1, 36, 36))
    assert display.label.text().startswith("epoch 1/500 · batch 36/45")
    display.set_paused(True)
    display.update(info, progress_at(5, 44, 224))
    assert display.label.text().startswith("epoch 5/500 · batch 44/45")
    assert display.label.text().endswith("· paused")
    qtbot.waitUntil(lambda: display.bar.value() == 224)


def test_the_progress_bar_is_set_from_the_event_loop_not_inside_the_python_call(qtbot):
    """QProgressBar.setValue paints the window's pending regions at once: from Python, that would
    hold the GIL throughout."""
    bar = QProgressBar()
    qtbot.addWidget(bar)
    bar.setRange(0, 200)
    bar.show()
    qtbot.waitExposed(bar)
    painted: list[int] = []

    class Count(QObject):
        def eventFilter(self, _watched, event):  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                painted.append(bar.value())
            return False

    counter = Count()
    bar.installEventFilter(counter)
    set_later(bar, 100)
    assert painted == [] and bar.value() != 100
    qtbot.waitUntil(lambda: bool(painted) and painted[-1] == 100)
    assert bar.text() == "50%"
    bar.removeEventFilter(counter)


def test_resetting_the_weights_clears_the_status_and_the_predictions(make_window, qtbot, dialogs):
    window = make_window(example("xor_mlp", epochs=2))
    ui = window.training
    train_to_end(qtbot, window)
    panel = ui.plots.predictions
    assert panel.note.text() == TRAINED  # trained, nothing predicted yet: not "train the model"
    ui.predict.trigger()
    assert panel.table.rowCount() > 0
    assert ui.progress.label.text().startswith("Trained: epoch 2/2")
    dialogs.answer = QMessageBox.StandardButton.Reset  # Reset Weights asks first
    ui.reset.trigger()
    assert ui.progress.label.text() == ""
    assert panel.table.rowCount() == 0 and panel.note.text() == UNTRAINED
    assert not panel.button.isEnabled()


def test_train_is_disabled_while_the_dataset_cannot_be_loaded(make_window, qtbot, tmp_path):
    """Pressing it would only show the import error again, as a failed run."""
    window = make_window(example("xor_mlp", epochs=1))
    panel = window.designer.dataset
    path = tmp_path / "points.csv"
    path.write_text("a,b,label\n1,2,0\n3,oops,1\n")
    with qtbot.waitSignal(panel.failed, timeout=WAIT):
        panel.import_file(str(path))
    assert window.designer.graph_valid and not window.training.train.isEnabled()
    path.write_text("a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        panel.import_file(str(path))
    assert window.training.train.isEnabled()


def test_the_status_bar_progress_is_rate_limited_by_its_clock(qtbot):
    now = [10.0]
    status = QStatusBar()
    qtbot.addWidget(status)
    display = ProgressDisplay(status, clock=lambda: now[0])
    info = RunInfo(500, 32, 45, 500 * 45, 1440, 0, ("dense/kernel",), (), 0)
    display.start(info)
    display.update(info, progress_at(1, 1, 1))
    now[0] += UPDATE_SECONDS / 2
    display.update(info, progress_at(1, 2, 2))
    assert "batch 1/45" in display.label.text()  # too soon: not shown
    now[0] += UPDATE_SECONDS
    display.update(info, progress_at(1, 3, 3))
    assert "batch 3/45" in display.label.text()


def test_a_status_tip_is_not_squeezed_by_the_last_runs_summary(qtbot):
    """The summary of a run fills most of the bar; a menu entry's status tip shows only left of it."""
    status = QStatusBar()
    qtbot.addWidget(status)
    status.resize(1384, 24)
    display = ProgressDisplay(status)
    display.finish("Trained: epoch 150/150 (completed)  loss 0.01477  accuracy 0.9958  val_loss 0.1779  "
                   "val_accuracy 0.95  lr 0.01")
    status.show()
    assert display.label.isVisible()
    status.showMessage("ONNX model (opset 17) for onnxruntime and other inference runtimes")
    assert not display.label.isVisible()
    status.clearMessage()
    assert display.label.isVisible() and display.label.text().startswith("Trained: epoch 150/150")
