"""What a student saw when using the training part: the numbers on show while paused, what a weight
reset leaves behind, a run of one epoch, and the gradient-norm axis on a short plot."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QMessageBox, QProgressBar, QStatusBar

from desktop_app.engine.callbacks import RunInfo
from desktop_app.gui.training.bridge import Progress
from desktop_app.gui.training.plot_style import DecadeAxis
from desktop_app.gui.training.predictions import TRAINED, UNTRAINED
from desktop_app.gui.training.progress import ProgressDisplay, set_later
from desktop_app.project import example_path, load_project

WAIT = 20_000


def example(name: str, epochs: int):
    project = load_project(example_path(name))
    project.training.epochs = epochs
    return project


def train_to_end(qtbot, window) -> None:
    window.training.train.trigger()
    qtbot.waitUntil(lambda: window.training.controller.state == "idle", timeout=WAIT)


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


def test_a_run_of_one_epoch_shows_its_epoch_values(make_window, qtbot):
    """One epoch is one point per series: a line alone draws nothing for it."""
    window = make_window(example("xor_mlp", epochs=1))
    ui = window.training
    train_to_end(qtbot, window)
    curves = ui.plots.curves
    ui.plots.setCurrentWidget(curves)
    for curve in (curves.epoch_loss, curves.val_loss, *curves.metric_curves["accuracy"]):
        assert len(curve.getData()[0]) == 1
        assert curve.shows_dots and len(curve.dots.path().toSubpathPolygons()) == 1  # one dot


def overlapping_labels(axis: pg.AxisItem) -> list[tuple[str, str]]:
    labels = [(rect, text) for rect, _flags, text in _specs(axis) if text]
    return [(a, b) for i, (rect_a, a) in enumerate(labels) for rect_b, b in labels[i + 1:]
            if rect_a.intersects(rect_b)]


def test_the_gradient_norm_labels_do_not_overlap_on_the_short_plot(make_window, qtbot):
    """XOR's norms stay within one decade, where pyqtgraph labels every 0.02, 0.03, ... 0.9."""
    window = make_window(example("xor_mlp", epochs=3))
    ui = window.training
    train_to_end(qtbot, window)
    ui.plots.setCurrentWidget(ui.plots.curves)
    axis = ui.plots.curves.norm_plot.getAxis("left")
    assert axis.geometry().height() < 150  # the plot really is short
    texts = [text for _rect, _flags, text in _specs(axis)]
    assert texts and all(text in ("0.001", "0.01", "0.1", "1", "10") for text in texts)
    assert overlapping_labels(axis) == []


def _specs(axis: pg.AxisItem):
    image = QImage(200, 400, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        return axis.generateDrawSpecs(painter)[2]
    finally:
        painter.end()


def test_a_decade_axis_labels_only_as_many_powers_of_ten_as_fit():
    axis = DecadeAxis("left")
    major, minor = axis.logTickValues(-12.0, 2.0, 60.0, [])
    assert major[1] and len(major[1]) * 16 <= 60
    assert all(float(v).is_integer() for v in major[1])
    assert axis.tickStrings(minor[1], 1.0, minor[0]) == [""] * len(minor[1])


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


def test_long_per_epoch_curves_drop_their_dots(qtbot):
    from desktop_app.gui.training.curves import MARKED_EPOCHS, _epoch_curve

    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.setXRange(0, MARKED_EPOCHS + 1)
    curve = _epoch_curve(widget.getPlotItem(), QColor("blue"))
    curve.set_data(np.arange(MARKED_EPOCHS + 1.0), np.ones(MARKED_EPOCHS + 1), finite=True)
    assert not curve.shows_dots
    curve.set_data(np.arange(2.0), np.ones(2), finite=True)
    assert curve.shows_dots

