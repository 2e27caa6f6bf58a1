"""The training plots: curves, layers, data and predictions tabs, redrawn by one timer.

Data arrives from the bridge at most 25 times a second and only goes into the record; the redraw
timer pushes the record into the visible tab's curves when it changed, so drawing never follows
the batch rate and hidden tabs cost nothing. A tab can be saved as PNG, the series as CSV.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QTimer
from PySide6.QtWidgets import QGraphicsView, QTabWidget, QWidget

from ...fileio import atomic_write, atomic_write_text
from .clock import Clock, monotonic
from .curves import CurvesPanel, LayerColors
from .data_views import DataPanel
from .histograms import HistogramsPanel
from .predictions import PredictionsPanel
from .probes import DATA, LAYERS
from .record import TrainingRecord

REDRAW_MS = 40  # one redraw per emission at most (the bridge emits <= 25 times a second)


class TrainingPlots(QTabWidget):
    """Tabs over one TrainingRecord; ``redraws`` counts the redraws that showed new data."""

    def __init__(self, record: TrainingRecord, layer_colors: LayerColors, clock: Clock = monotonic,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("training_plots")
        self.record = record
        self.curves = CurvesPanel(layer_colors, clock)
        self.histograms = HistogramsPanel(layer_colors)
        self.data = DataPanel()
        self.predictions = PredictionsPanel()
        self.addTab(self.curves, "Curves")
        self.addTab(self.histograms, "Layers")
        self.addTab(self.data, "Data")
        self.addTab(self.predictions, "Predictions")
        self.redraws = 0
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self.redraw)
        self.currentChanged.connect(self.redraw)

    def set_live(self, live: bool) -> None:
        """Redraw on the timer while a run is on; once more, all of it, when it ends."""
        self.curves.live = live
        if live:
            self.timer.start()
        else:
            self.timer.stop()
            self.curves.drawn_version = -1  # its per-epoch curves may have waited
            self.redraw()

    def redraw(self) -> None:
        panel = self.currentWidget()
        if panel is self.predictions or not panel.isVisible():
            return
        version = self.record.version
        if panel.drawn_version != version:
            panel.redraw(self.record)
            panel.drawn_version = version
            self.redraws += 1

    def watched_views(self) -> frozenset[str]:
        """The probe views on show (the training thread looks at the model for these only)."""
        panel = self.currentWidget()
        if not panel.isVisible():
            return frozenset()
        return frozenset({LAYERS} if panel is self.histograms else {DATA} if panel is self.data else ())

    def export_png(self, path: str | Path) -> None:
        """Save the plots of the tab on screen as a PNG image (atomically): the plot canvas alone,
        without the tab's check boxes and buttons."""
        self.redraw()
        panel = self.currentWidget()
        canvases = panel.findChildren(QGraphicsView)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        shown = canvases[0] if len(canvases) == 1 else panel
        if not shown.grab().save(buffer, "PNG"):
            raise OSError(f"{path}: the plots could not be encoded as PNG")
        buffer.close()
        atomic_write(path, lambda handle: handle.write(data.data()))

    def export_csv(self, path: str | Path) -> tuple[Path, Path]:
        """Write the per-epoch history to ``path`` and the per-batch series beside it; both paths."""
        epochs = Path(path)
        batches = epochs.with_name(epochs.name.removesuffix(".csv") + ".batches.csv")
        atomic_write_text(epochs, self.record.epochs_csv())
        atomic_write_text(batches, self.record.batches_csv())
        return epochs, batches
