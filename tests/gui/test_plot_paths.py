"""The plots' fast paths draw what pyqtgraph would: the view prepares before Qt paints, axes keep
their extent, curves stay inside the data area, and the training thread leaves a core free."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor, QImage

from desktop_app.gui.training import worker as worker_module
from desktop_app.gui.training.curves import _epoch_curve
from desktop_app.gui.training.live_curve import LiveCurve
from desktop_app.gui.training.plot_canvas import PlotCanvas
from desktop_app.gui.training.plot_style import add_plot, layout_widget

RED = QColor("#ff0000")


def red_pixels(image: QImage) -> list[tuple[int, int]]:
    return [(x, y) for x in range(image.width()) for y in range(image.height())
            if image.pixelColor(x, y).red() > 200 and image.pixelColor(x, y).green() < 80
            and image.pixelColor(x, y).blue() < 80]


def red_column(canvas: PlotCanvas, plot: pg.PlotItem) -> float:
    """The mean x of the red pixels, from the left edge of ``plot``'s data area."""
    left = canvas.mapFromScene(plot.vb.mapToScene(plot.vb.rect().topLeft())).x()
    return float(np.mean([x for x, _y in red_pixels(canvas.grab().toImage())])) - left


def red_curve_plot(canvas: PlotCanvas, y_top: float) -> tuple[pg.PlotItem, LiveCurve]:
    """A styled plot over x 0..10 and y 0..``y_top`` with a red, 2-pixel LiveCurve in it."""
    plot = add_plot(canvas.ci, "Loss", "epoch", "loss")
    plot.setXRange(0.0, 10.0, padding=0)
    plot.setYRange(0.0, y_top, padding=0)
    return plot, LiveCurve(plot, RED, width=2.0)


def shown(qtbot, canvas: PlotCanvas) -> None:
    canvas.resize(300, 200)
    canvas.show()
    qtbot.waitExposed(canvas)


@pytest.fixture
def canvas(qtbot):
    """A styled plot canvas, held until the test's teardown (qtbot holds it weakly: once the test
    returned, the garbage collector could delete it while it paints)."""
    widget = layout_widget()
    qtbot.addWidget(widget)
    yield widget
    widget.close()


def test_a_range_change_is_drawn_although_qt_paints_the_view_without_python(qtbot, canvas):
    """pyqtgraph applies a new range (its view matrix) just before painting: the canvas's event
    filter must let it, since its paintEvent is Qt's own."""
    plot = canvas.ci.addPlot()
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    plot.plot([5.0, 5.0], [0.0, 10.0], pen=pg.mkPen(RED, width=3))  # a vertical line at x = 5
    plot.setYRange(0, 10, padding=0)
    plot.setXRange(0, 10, padding=0)
    shown(qtbot, canvas)
    middle = red_column(canvas, plot)
    plot.setXRange(0, 20, padding=0)
    quarter = red_column(canvas, plot)
    assert abs(quarter - middle / 2) < 3


def test_axes_extend_exactly_as_far_as_pyqtgraph_computes_it(qtbot, canvas):
    """Axis uses Qt's boundingRect instead of pyqtgraph's Python one: the two must agree."""
    plot = add_plot(canvas.ci, "Loss", "epoch", "loss")
    plot.setYRange(0.0, 2.5)
    shown(qtbot, canvas)
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        assert axis.boundingRect() == pg.AxisItem.boundingRect(axis)
        assert not axis.boundingRect().isEmpty()


def test_curves_are_clipped_to_the_data_area(qtbot, canvas):
    plot, curve = red_curve_plot(canvas, y_top=1.0)
    shown(qtbot, canvas)
    x = np.linspace(-5.0, 15.0, 200)
    curve.set_data(x, 3.0 * np.sin(x), finite=True)  # far beyond the view on every side
    red = red_pixels(canvas.grab().toImage())
    area = plot.vb.mapRectToScene(plot.vb.rect())
    area = canvas.mapFromScene(area).boundingRect()
    assert red
    assert all(area.left() - 1 <= x <= area.right() + 1 and area.top() - 1 <= y <= area.bottom() + 1
               for x, y in red)


def test_a_curve_follows_a_zoom(qtbot, canvas):
    """The paths are in pixels: a new range rebuilds them."""
    plot, curve = red_curve_plot(canvas, y_top=10.0)
    shown(qtbot, canvas)
    curve.set_data(np.array([5.0, 5.0]), np.array([0.0, 10.0]), finite=True)  # x = 5: the middle
    before = red_column(canvas, plot)
    plot.setXRange(0.0, 20.0, padding=0)  # x = 5 is a quarter of the way now
    after = red_column(canvas, plot)
    assert abs(after - before / 2) < 3


def test_the_training_thread_leaves_a_core_to_the_window(monkeypatch, qapp):
    """BLAS gets all cores but one while the window trains: OpenBLAS's idle helper threads spin on
    their cores, and the window needs one to draw."""
    monkeypatch.setattr(worker_module.os, "cpu_count", lambda: 8)
    assert worker_module.blas_threads() == 7
    monkeypatch.setattr(worker_module.os, "cpu_count", lambda: 1)
    assert worker_module.blas_threads() == 1
    monkeypatch.setattr(worker_module.os, "cpu_count", lambda: None)
    assert worker_module.blas_threads() == 1


def test_a_single_epoch_is_drawn_as_a_visible_dot(qtbot, canvas):
    """One epoch is one point, which a line does not show: per-epoch curves dot their points."""
    plot = canvas.ci.addPlot()
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    plot.setXRange(0, 2, padding=0)
    plot.setYRange(0, 2, padding=0)
    curve = _epoch_curve(plot, RED)
    curve.set_data(np.array([1.0]), np.array([1.0]), finite=True)
    shown(qtbot, canvas)
    red = red_pixels(canvas.grab().toImage())
    assert len(red) >= 9  # a dot of about 5 x 5 pixels
    xs, ys = zip(*red, strict=True)
    assert max(xs) - min(xs) <= 7 and max(ys) - min(ys) <= 7


def _points(item) -> np.ndarray:
    """The points of a curve's (or a path item's) line, in pixels."""
    path = item.item.path() if isinstance(item, LiveCurve) else item.path()
    return np.array([(path.elementAt(i).x, path.elementAt(i).y) for i in range(path.elementCount())])


@pytest.mark.parametrize("log", [False, True])
def test_a_curve_grown_frame_by_frame_is_the_curve_drawn_at_once(qtbot, canvas, log):
    """Each frame converts only the new points to pixels: the line must still be the one the whole
    series gives, through the switch to one column per pixel and a change of the y range."""
    plot, grown = red_curve_plot(canvas, y_top=2.0)
    plot.setLogMode(y=log)
    plot.setYRange(-3.0 if log else 0.0, 0.5 if log else 2.0, padding=0)
    shown(qtbot, canvas)
    rng = np.random.default_rng(3)
    x = np.linspace(0.0, 10.0, 3000)
    y = rng.uniform(0.01, 2.0, 3000)
    size = 0
    while size < len(x):
        size = min(len(x), size + int(rng.integers(1, 120)))
        grown.set_data(x[:size], y[:size], finite=True, series=7)
        if size > 1500:
            plot.setYRange(-3.5 if log else 0.0, 0.6 if log else 2.5, padding=0)  # once, mid-way
        at_once = LiveCurve(plot, RED)
        at_once.set_data(x[:size], y[:size], finite=True)
        np.testing.assert_allclose(_points(grown), _points(at_once))
        at_once.remove()
    assert grown._peaks.unchanged > 0  # the last frames did reuse what was converted before


def test_several_series_in_one_curve_draw_the_lines_each_would_alone(qtbot, canvas):
    """The layers' gradient norms share one reduction: each line must be the one its series gives."""
    plot, _red = red_curve_plot(canvas, y_top=2.0)
    shown(qtbot, canvas)
    rng = np.random.default_rng(4)
    x = np.linspace(0.0, 10.0, 2000)
    y = rng.uniform(0.0, 2.0, (2000, 3))
    together = LiveCurve(plot, [RED, QColor("#00ff00"), QColor("#0000ff")])
    size = 0
    while size < len(x):
        size = min(len(x), size + int(rng.integers(1, 150)))
        together.set_data(x[:size], y[:size], finite=True, series=3)
    for column, item in enumerate(together.items):
        alone = LiveCurve(plot, RED)
        alone.set_data(x, y[:, column], finite=True)
        np.testing.assert_allclose(_points(item), _points(alone))
        alone.remove()
    assert [color.name() for color in together.colors] == ["#ff0000", "#00ff00", "#0000ff"]
