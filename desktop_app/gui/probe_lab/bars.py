"""The prediction as bars: one per class, its probability as the bar's length; the predicted class
stands out. A regression model's outputs are listed as numbers instead."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...project.predict import Predictions
from ..probability_text import probability_text

ROW = 20
NAME_WIDTH = 54
VALUE_WIDTH = 52
BAR = QColor("#8c959f")
TOP = QColor("#1f6feb")


class PredictionBars(QWidget):
    """Shows one sample's Predictions (``probabilities`` keeps what is drawn, for a classifier)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("probe_prediction")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.names: tuple[str, ...] = ()
        self.probabilities: np.ndarray | None = None
        self.values: np.ndarray | None = None

    def show_prediction(self, predictions: Predictions) -> None:
        """The first sample of ``predictions``."""
        if predictions.is_classification:
            self.names, self.values = predictions.class_names, None
            self.probabilities = predictions.probabilities[0]
        else:
            self.values = np.ravel(predictions.values[0])
            self.names, self.probabilities = tuple(f"y{i}" for i in range(len(self.values))), None
        self.setMinimumHeight(ROW * len(self.names) + 4)
        self.updateGeometry()
        self.update()

    def clear(self) -> None:
        self.names, self.probabilities, self.values = (), None, None
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(240, ROW * max(len(self.names), 2) + 4)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        text = self.palette().text().color()
        span = max(self.width() - NAME_WIDTH - VALUE_WIDTH - 8, 10)
        best = int(np.argmax(self.probabilities)) if self.probabilities is not None else -1
        for index, name in enumerate(self.names):
            top = 2 + index * ROW
            painter.setPen(text)
            painter.drawText(QRectF(0, top, NAME_WIDTH - 6, ROW), Qt.AlignmentFlag.AlignRight
                             | Qt.AlignmentFlag.AlignVCenter, name)
            if self.probabilities is not None:
                share = float(self.probabilities[index])
                painter.fillRect(QRectF(NAME_WIDTH, top + 3, span * share, ROW - 6),
                                 TOP if index == best else BAR)
                shown = probability_text(share)
            else:
                shown = f"{float(self.values[index]):.4g}"
            painter.setPen(text)
            painter.drawText(QRectF(NAME_WIDTH + span + 4, top, VALUE_WIDTH + 4, ROW),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
        painter.end()
