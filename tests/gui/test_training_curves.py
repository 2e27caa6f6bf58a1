"""The training curves as a student saw them: a run of one epoch, long per-epoch curves, and the
gradient-norm axis on a short plot."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QImage, QPainter

from desktop_app.gui.training.curves import MARKED_EPOCHS, _epoch_curve
from desktop_app.gui.training.plot_style import DecadeAxis
from tests.gui.runs import example, train_to_end


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


def test_long_per_epoch_curves_drop_their_dots(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.setXRange(0, MARKED_EPOCHS + 1)
    curve = _epoch_curve(widget.getPlotItem(), QColor("blue"))
    curve.set_data(np.arange(MARKED_EPOCHS + 1.0), np.ones(MARKED_EPOCHS + 1), finite=True)
    assert not curve.shows_dots
    curve.set_data(np.arange(2.0), np.ones(2), finite=True)
    assert curve.shows_dots
