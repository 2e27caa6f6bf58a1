"""The Health tab: one table row per measured layer with its status, its latest figures and a
small live plot, and the hints with their Why and an Apply button.

A layer with weights plots log10 ‖Δw‖/‖w‖ (its update ratio) with a band from −4 to −2 around
cs231n's healthy −3; a ReLU its dead units, a sigmoid or tanh its saturated outputs (0-100 %).
The panel only shows; ``HealthTab`` decides what Apply does and when it may.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...engine.health import HealthRecord, Hint, LayerSeries
from ...engine.health.rules import RECENT
from ..training.curves import LayerColors
from ..training.record import TrainingRecord
from .feed import HealthUpdate
from .sparkline import ROLE, Sparkline, SparklineDelegate

ALL_CLEAR = "No problems found in the last measurements"
COLUMNS = ("Layer", "Type", "Status", "Trend", "Gradient norm", "log10 update ratio", "Dead / saturated")
TREND = COLUMNS.index("Trend")
HEALTHY_BAND = (-4.0, -2.0)  # log10 update ratio: a decade either side of cs231n's 1e-3
RATIO_RANGE = (-7.0, 0.0)  # the log10 update ratios a trend shows (beyond: drawn at the edge)
TREND_POINTS = 200  # the latest measurements a trend shows
TREND_WIDTH = 120  # pixels
NEUTRAL = QColor("#57606a")  # activations: the canvas colours only the layers with weights
WARNING = QColor("#b35900")
# the Status column's words for the rules that name a layer (the full hint is its tooltip)
STATUS = {"vanishing": "vanishing gradient", "dead_relu": "dead units", "saturated": "saturated",
          "initial_loss": "output starts too confident"}


class HealthPanel(QWidget):
    """Shows the latest HealthUpdate; ``hint_selected`` and ``apply_requested`` carry a Hint."""

    # the user selected a hint (None: none selected)
    hint_selected = Signal(object)
    # the user pressed Apply on the selected hint
    apply_requested = Signal(object)

    def __init__(self, layer_colors: LayerColors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("health_panel")
        self.layer_colors = layer_colors
        self.drawn_version = -1
        self.latest: HealthUpdate | None = None
        self._version = self._drawn = 0
        # the (rule, nodes) of the hint the user chose: chosen again when it comes back after an
        # update without it (a rule near its threshold comes and goes between updates)
        self._wanted: tuple[str, tuple[str, ...]] | None = None
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._figures())
        splitter.addWidget(self._hint_view())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([3000, 2000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def _figures(self) -> QWidget:
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("health_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setItemDelegateForColumn(TREND, SparklineDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TREND, QHeaderView.ResizeMode.Fixed)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(TREND, TREND_WIDTH)
        return self.table

    def _hint_view(self) -> QWidget:
        box = QWidget(self)
        self.hints = QListWidget(box)
        self.hints.setObjectName("health_hints")
        self.hints.setWordWrap(True)
        self.hints.currentItemChanged.connect(self._select)
        # the check ran and found nothing: said in a label, not a hint (it has nothing to apply)
        self.all_clear = QLabel(ALL_CLEAR, box)
        self.all_clear.setObjectName("health_all_clear")
        self.all_clear.hide()
        self.why = QTextBrowser(box)
        self.why.setObjectName("health_why")
        self.apply = QPushButton("Apply", box)
        self.apply.setObjectName("health_apply")
        self.apply.setEnabled(False)
        self.apply.clicked.connect(self._apply)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(QLabel("<b>Hints</b>", box))
        layout.addWidget(self.all_clear)
        layout.addWidget(self.hints, 2)
        layout.addWidget(QLabel("<b>Why?</b>", box))
        layout.addWidget(self.why, 3)
        layout.addWidget(self.apply)
        return box

    # --- showing --------------------------------------------------------------------------------
    def show_update(self, update: HealthUpdate | None) -> None:
        """The latest findings (None: forget the previous run's); drawn now when on show."""
        self.latest = update
        self._version += 1
        if update is None:  # a new run or another project: no choice carries over
            self._wanted = None
        if self.isVisible() or update is None:
            self._draw()

    def redraw(self, _record: TrainingRecord) -> None:
        """Called by the plots' timer when this tab is on show and the training record changed."""
        if self._drawn != self._version:
            self._draw()

    def showEvent(self, event: QShowEvent) -> None:
        """An update that came while the tab was hidden, drawn as it shows (the training record,
        whose version the plots compare, may not have changed since)."""
        super().showEvent(event)
        if self._drawn != self._version:
            self._draw()

    def set_apply(self, label: str | None, enabled: bool) -> None:
        """What Apply would do for the selected hint (None: it has no fix to apply)."""
        self.apply.setText(f"Apply: {label}" if label else "Apply")
        self.apply.setToolTip(label or "this hint has no one-click fix")
        self.apply.setEnabled(bool(label) and enabled)

    def set_applied(self, label: str) -> None:
        """The selected hint's fix was applied: its findings are the last run's until the next."""
        self.apply.setText(f"Applied: {label} (train again to see)")
        self.apply.setToolTip("The hint is about the last run; undo the edit to take it back.")
        self.apply.setEnabled(False)

    def selected_hint(self) -> Hint | None:
        item = self.hints.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def select(self, rule: str) -> None:
        """Select the hint of ``rule`` (as the user would), drawing the latest findings first."""
        if self._drawn != self._version:
            self._draw()
        rules = [hint.rule for hint in self._listed()]
        if rule in rules:
            self.hints.setCurrentRow(rules.index(rule))

    def _listed(self) -> list[Hint]:
        return [self.hints.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.hints.count())]

    def _draw(self) -> None:
        self._drawn = self._version
        update = self.latest
        hints = update.hints if update is not None else ()
        self._show_hints(hints)
        self.all_clear.setVisible(update is not None and not hints)
        if update is None:
            self.table.setRowCount(0)
            return
        self._show_table(update.record, hints)

    def _show_hints(self, hints: tuple[Hint, ...]) -> None:
        """The hints, keeping the selection on the same hint while they update."""
        if [(h.rule, h.nodes) for h in self._listed()] == [(h.rule, h.nodes) for h in hints]:
            for row, hint in enumerate(hints):
                self.hints.item(row).setData(Qt.ItemDataRole.UserRole, hint)
                self.hints.item(row).setText(_hint_text(hint))
            selected = self.selected_hint()
            if selected is not None:
                self._show_why(selected)
                self.hint_selected.emit(selected)  # its figures, and so its fix, may have changed
            return
        with QSignalBlocker(self.hints):  # rebuilt, not chosen: the choice is made below
            self.hints.clear()
            for hint in hints:
                item = QListWidgetItem(_hint_text(hint))
                item.setData(Qt.ItemDataRole.UserRole, hint)
                self.hints.addItem(item)
        keys = [(hint.rule, hint.nodes) for hint in hints]
        if self._wanted in keys:
            self._choose(keys.index(self._wanted))
        elif hints:
            self._choose(0)
        else:
            self._select(None, None)

    def _choose(self, row: int) -> None:
        """Select ``row`` without taking it for the user's choice."""
        with QSignalBlocker(self.hints):
            self.hints.setCurrentRow(row)
        hint = self.selected_hint()
        self._show_why(hint)
        self.hint_selected.emit(hint)

    def _show_table(self, record: HealthRecord, hints: tuple[Hint, ...]) -> None:
        self.table.setRowCount(len(record.layers))
        colors = self.layer_colors(tuple(series.node for series in record.of_kind("weights")))
        for row, series in enumerate(record.layers):
            about = [hint for hint in hints if series.node in hint.nodes]
            status = "⚠ " + ", ".join(STATUS.get(hint.rule, hint.rule) for hint in about) if about else "OK"
            color = colors.get(series.node, NEUTRAL)
            for column, text in enumerate((series.node, series.type, status, "", *_figures(series))):
                item = QTableWidgetItem(text)
                if column == TREND:
                    item.setData(ROLE, _trend(series, color))
                if column == 0 and series.kind == "weights":
                    item.setData(Qt.ItemDataRole.DecorationRole, color)  # as on the canvas and the curves
                if about and column == 2:
                    item.setForeground(WARNING)
                    item.setToolTip("\n".join(hint.title for hint in about))
                self.table.setItem(row, column, item)

    # --- user --------------------------------------------------------------------------------------
    def _select(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        hint = None if current is None else current.data(Qt.ItemDataRole.UserRole)
        if hint is not None:
            self._wanted = (hint.rule, hint.nodes)
        self._show_why(hint)
        self.hint_selected.emit(hint)

    def _show_why(self, hint: Hint | None) -> None:
        text = "" if hint is None else hint.why
        if self.why.toPlainText() != text:  # unchanged: the reader keeps their place
            self.why.setPlainText(text)

    def _apply(self) -> None:
        hint = self.selected_hint()
        if hint is not None:
            self.apply_requested.emit(hint)


def _hint_text(hint: Hint) -> str:
    return f"⚠ {hint.title[:1].upper()}{hint.title[1:]}"


def _trend(series: LayerSeries, color: QColor) -> Sparkline:
    if series.kind == "weights":
        values = np.log10(np.maximum(series.values["update_ratio"][-TREND_POINTS:], 1e-12))
        return Sparkline(values, *RATIO_RANGE, color, HEALTHY_BAND)
    name = "dead_fraction" if series.kind == "relu" else "saturated_fraction"
    return Sparkline(series.values[name][-TREND_POINTS:], 0.0, 1.0, color)


def _figures(series: LayerSeries) -> tuple[str, str, str]:
    """Gradient norm, log10 update ratio, dead or saturated percentage: the medians the rules read."""
    if series.kind == "weights":
        grad, ratio = series.recent("grad_norm", RECENT), series.recent("update_ratio", RECENT)
        shown = "–" if not math.isfinite(ratio) else "no change" if ratio == 0 else f"{math.log10(ratio):.2f}"
        return (f"{grad:.3g}" if math.isfinite(grad) else "–", shown, "")
    name = "dead_fraction" if series.kind == "relu" else "saturated_fraction"
    value = series.recent(name, RECENT)
    label = "dead" if series.kind == "relu" else "saturated"
    return "", "", f"{value:.0%} {label}" if math.isfinite(value) else "–"
