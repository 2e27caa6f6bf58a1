"""The curves of kept runs, drawn alike in the Runs panel and in HTML reports.

Loss, the runs' metric and each layer's gradient norm, per epoch, from the runs' files: one colour
per run (in the order given), and in the gradient-norm plot one line style per layer. Reports
render the same plots off screen to PNG (``plot_pngs``), which needs a QApplication: a headless
command gets one on Qt's offscreen platform.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from .project.run_store import KeptRun

# (key, title) of each plot; the metric plot's title is the metric's name
PLOTS = (("loss", "Loss"), ("metric", "Metric"), ("gradient_norm", "Gradient norm per layer"))
LAYER_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine)


# distinct on white, in the order runs take them (then again, for more than ten)
RUN_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
              "#7f7f7f", "#bcbd22")


def run_colors(count: int) -> list[QColor]:
    """One colour per run."""
    return [QColor(RUN_COLORS[index % len(RUN_COLORS)]) for index in range(count)]


def metric_name(runs: Sequence[KeptRun]) -> str:
    """The metric runs are compared on: the first run's best-value metric, or the loss."""
    return next((str(run.best["name"]) for run in runs if run.best), "loss")


def prepare(plot: pg.PlotItem, key: str) -> None:
    """A plot's legend, axis label and scale (gradient norms span decades: log scale)."""
    plot.addLegend(offset=(-4, 4), brush=pg.mkBrush(255, 255, 255, 210), labelTextSize="8pt")
    plot.setLabel("bottom", "epoch")
    if key == "gradient_norm":
        plot.setLogMode(y=True)


def draw(plot: pg.PlotItem, key: str, runs: Sequence[KeptRun]) -> None:
    """Replace the plot's curves by those of ``runs``."""
    plot.clear()
    plot.legend.clear()
    metric = metric_name(runs)
    plot.setTitle(metric if key == "metric" and runs else dict(PLOTS)[key])
    layers: list[str] = []
    for run, color in zip(runs, run_colors(len(runs)), strict=True):
        if key == "gradient_norm":
            norms = run.gradient_norms()
            for index, layer in enumerate(name for name in norms if name != "epoch"):
                pen = pg.mkPen(color, width=1.5, style=LAYER_STYLES[index % len(LAYER_STYLES)])
                # the legend names the runs (their first layer's line); the title, the line styles
                plot.plot(norms["epoch"], norms[layer], pen=pen, name=None if index else run.label)
                layers += [layer] if layer not in layers else []
            continue
        history = run.history()
        name = "loss" if key == "loss" else metric
        if name in history:
            plot.plot(history["epoch"], history[name], pen=pg.mkPen(color, width=2), name=run.label)
    if layers:
        styles = ("solid", "dashed", "dotted", "dash-dot")
        legend = ", ".join(f"{layer} {styles[index % len(styles)]}" for index, layer in enumerate(layers))
        plot.setTitle(f"Gradient norm per layer ({legend})", size="8pt")


def plot_pngs(runs: Sequence[KeptRun], width: int = 640, height: int = 320) -> dict[str, bytes]:
    """Each plot of ``runs`` as PNG bytes, by key."""
    if QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QApplication([])
    pngs = {}
    for key, _title in PLOTS:
        canvas = pg.GraphicsLayoutWidget()
        canvas.setBackground("w")
        canvas.resize(width, height)
        plot = canvas.addPlot()
        prepare(plot, key)
        draw(plot, key, runs)
        buffer = QByteArray()
        device = QBuffer(buffer)
        device.open(QIODevice.OpenModeFlag.WriteOnly)
        canvas.grab().save(device, "PNG")
        canvas.close()
        canvas.deleteLater()
        pngs[key] = bytes(buffer)
    return pngs
