"""The curves tab: loss, metrics, learning rate and per-layer gradient norms over the epochs.

Curves (``LiveCurve``) are created once (again only when the run's layers or metrics change) and
fed from the record's buffers on the plots' redraw timer: the per-batch series every frame, as
one growing series each; the per-epoch ones when an epoch ended.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from . import plot_style
from .clock import Clock, monotonic
from .live_curve import TINY, LiveCurve
from .record import TrainingRecord

MARKED_EPOCHS = 30  # per-epoch curves show a dot per epoch up to this many epochs
# while a run is on, per-epoch curves redraw at most this often: short epochs end many times a
# second, and each redraw of them is Python that the training thread waits for
EPOCH_REDRAW_SECONDS = 0.125
METRIC_COLORS = (plot_style.TRAIN, QColor("#2f9e44"), QColor("#9c36b5"), QColor("#e67700"))
LayerColors = Callable[[Sequence[str]], Mapping[str, QColor]]


class CurvesPanel(QWidget):
    """Four plots: loss (per batch and per epoch, train and validation), metrics, learning rate,
    gradient norm of each layer (log scale, each in its node's colour on the canvas)."""

    def __init__(self, layer_colors: LayerColors, clock: Clock = monotonic,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer_colors = layer_colors
        # the record version on screen (-1: draw again)
        self.drawn_version = -1
        # a run is on: per-epoch curves may wait (``EPOCH_REDRAW_SECONDS``)
        self.live = False
        self.clock = clock
        self._epochs_due = 0.0
        self.log_loss = QCheckBox("Log-scale loss", self)
        self.log_loss.setObjectName("log_loss")
        self.log_loss.toggled.connect(self._set_log_loss)
        self.graphics = plot_style.layout_widget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        options = QHBoxLayout()
        options.addWidget(self.log_loss)
        options.addStretch(1)
        layout.addLayout(options)
        layout.addWidget(self.graphics, 1)
        grid = self.graphics.ci
        self.loss_plot = plot_style.add_plot(grid, "Loss", "epoch", "loss", 0, 0)
        plot_style.key_title(self.loss_plot, "Loss", [("batch", plot_style.TRAIN.lighter(160), False),
                                                      ("train", plot_style.TRAIN, False),
                                                      ("validation", plot_style.VALIDATION, False)])
        self.metric_plot = plot_style.add_plot(grid, "Metrics", "epoch", "value", 0, 1)
        self.lr_plot = plot_style.add_plot(grid, "Learning rate", "epoch", "learning rate", 1, 0)
        self.norm_plot = plot_style.add_plot(grid, "Gradient norm per layer", "epoch", "L2 norm", 1, 1,
                                             log_y=True)
        for plot in (self.metric_plot, self.lr_plot, self.norm_plot):
            plot.setXLink(self.loss_plot)
        # one epoch axis per column, under the lower plot: the same axis twice took room from the
        # short plots, and redrawing an axis is the slowest part of a frame in which ranges change
        for plot in (self.loss_plot, self.metric_plot):
            plot.hideAxis("bottom")
        self.batch_loss = LiveCurve(self.loss_plot, plot_style.BATCH)
        self.epoch_loss = _epoch_curve(self.loss_plot, plot_style.TRAIN)
        self.val_loss = _epoch_curve(self.loss_plot, plot_style.VALIDATION)
        self.lr_curve = LiveCurve(self.lr_plot, plot_style.TRAIN)
        self.metric_curves: dict[str, tuple[LiveCurve, LiveCurve]] = {}
        # the layers' gradient norms: one LiveCurve for all of them, a colour each
        self.norm_layers: tuple[str, ...] = ()
        self.norms: LiveCurve | None = None
        self._metrics: tuple[str, ...] = ()
        # the record's epochs_version on screen, and the epoch losses' extents (the loss axis fits
        # them too)
        self._epochs_drawn = -1
        self._epoch_losses: list[tuple[float, float]] = []

    def _set_log_loss(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self.loss_plot.disableAutoRange()  # pyqtgraph turns auto-range on with a log mode
        curves = (self.batch_loss, self.epoch_loss, self.val_loss)
        _fit_y(self.loss_plot, [_extent(curve.getData()[1]) for curve in curves])
        for curve in curves:
            curve.rebuild()

    def redraw(self, record: TrainingRecord) -> None:
        """Per-batch curves every frame; per-epoch ones only when an epoch ended (and, while a run is
        on, at most every ``EPOCH_REDRAW_SECONDS``)."""
        started = record.started
        metrics = started.metric_names if started else ()
        if metrics != self._metrics:
            self._make_metric_curves(metrics)
        if record.layers != self.norm_layers:
            self._make_norm_curves(record.layers)
        now = self.clock()
        if record.epochs_version != self._epochs_drawn and (not self.live or now >= self._epochs_due):
            self._draw_epochs(record)
            self._epochs_due = now + EPOCH_REDRAW_SECONDS
        batches = record.batches.view()
        x, losses, rates = batches[:, 0], batches[:, 1], batches[:, 2]
        norms = record.norms.view()
        if len(x):  # ranges first: a range change redraws every curve of the plot
            self.show_epochs(record.epochs_planned)
            _fit_y(self.loss_plot, [record.batches.extent(1), *self._epoch_losses])
            plot_style.keep_in_view(self.lr_plot, "y", 0.0, record.batches.extent(2)[1])
            _fit_decades(self.norm_plot, *record.norms.extent())
        finite, series = record.batches_finite, record.generation
        self.batch_loss.set_data(x, losses, finite, series)
        self.lr_curve.set_data(x, rates, finite, series)
        if self.norms is not None:
            self.norms.set_data(x, norms, finite, series)

    def empty_axes(self) -> None:
        """Axes with nothing on them (the record was cleared): no range left from curves that are gone."""
        self.loss_plot.setXRange(0.0, 1.0)
        for plot in (self.loss_plot, self.metric_plot, self.lr_plot):
            plot.setYRange(0.0, 1.0)
        self.norm_plot.setYRange(-2.0, 0.0)  # log axis: 0.01 to 1

    def show_epochs(self, planned: float) -> None:
        """The epoch axis from 0 to ``planned`` (the plots share it)."""
        plot_style.keep_in_view(self.loss_plot, "x", 0.0, planned, margin=0.01)

    def _draw_epochs(self, record: TrainingRecord) -> None:
        self._epoch_losses = []
        for curve, key in ((self.epoch_loss, "loss"), (self.val_loss, "val_loss")):
            x, values = record.epoch_series(key)
            curve.set_data(x, values, finite=bool(np.isfinite(values).all()))
            self._epoch_losses.append(_extent(values))
        metric_values = []
        for name, curves in self.metric_curves.items():
            for curve, key in zip(curves, (name, f"val_{name}"), strict=True):
                x, values = record.epoch_series(key)
                curve.set_data(x, values, finite=bool(np.isfinite(values).all()))
                metric_values.append(_extent(values))
        _fit_y(self.metric_plot, metric_values, unit_interval=True)
        self._epochs_drawn = record.epochs_version

    def _make_metric_curves(self, metrics: tuple[str, ...]) -> None:
        for train, validation in self.metric_curves.values():
            train.remove()
            validation.remove()
        self.metric_curves = {}
        keys = []
        for index, name in enumerate(metrics):
            color = METRIC_COLORS[index % len(METRIC_COLORS)]
            self.metric_curves[name] = (_epoch_curve(self.metric_plot, color),
                                        _epoch_curve(self.metric_plot, color, dashed=True))
            keys += [(name, color, False), (f"val_{name}", color, True)]
        plot_style.key_title(self.metric_plot, "Metrics", keys)
        self._metrics = metrics
        self._epochs_drawn = -1

    def _make_norm_curves(self, layers: tuple[str, ...]) -> None:
        if self.norms is not None:
            self.norms.remove()
        colors = self.layer_colors(layers)
        self.norms = LiveCurve(self.norm_plot, [colors[name] for name in layers]) if layers else None
        plot_style.key_title(self.norm_plot, "Gradient norm per layer",
                             [(name, colors[name], False) for name in layers])
        self.norm_layers = layers


def _epoch_curve(plot: pg.PlotItem, color: QColor, dashed: bool = False) -> LiveCurve:
    """A per-epoch series: two pixels wide, dotted while it has few epochs."""
    return LiveCurve(plot, color, width=2.0, dashed=dashed, dots=True, dots_up_to=MARKED_EPOCHS)


def _extent(values: np.ndarray) -> tuple[float, float]:
    """The lowest and highest value (NaN skipped; (inf, -inf) for none)."""
    if not values.size:
        return math.inf, -math.inf
    return float(np.fmin.reduce(values)), float(np.fmax.reduce(values))


def _fit_decades(plot: pg.PlotItem, low: float, high: float) -> None:
    """Keep ``[low, high]`` in view on a log y axis, from one power of ten to another: within less
    than a decade the axis labels every 1..9 multiple, and on a short plot those labels overlap."""
    if math.isfinite(low) and math.isfinite(high):
        low = 10.0 ** math.floor(math.log10(max(low, TINY)))
        high = 10.0 ** math.ceil(math.log10(max(high, TINY)))
        plot_style.keep_in_view(plot, "y", low, high if high > low else low * 10, margin=0.0)


def _fit_y(plot: pg.PlotItem, extents: list[tuple[float, float]], unit_interval: bool = False) -> None:
    """Keep every ``(low, high)`` of ``extents`` in view on the y axis: above zero on a log axis;
    for ``unit_interval`` values inside [0, 1] (accuracy), up to 1; else from zero when no value is
    negative. Each range change redraws the axis, slow Python against the training thread; so
    a falling loss no longer moves the range at each new low, nor a rising accuracy at each new
    high."""
    extents = [(low, high) for low, high in extents if low <= high]
    if extents:
        low = min(low for low, _high in extents)
        high = max(high for _low, high in extents)
        if plot.getAxis("left").logMode:
            low, high = max(low, TINY), max(high, TINY)
        elif unit_interval and low >= 0.0 and high <= 1.0:
            high = 1.0
        elif low >= 0.0:
            low = 0.0
        plot_style.keep_in_view(plot, "y", low, high)
