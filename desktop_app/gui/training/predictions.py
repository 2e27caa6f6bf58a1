"""The predictions tab: a few held-out samples run through the trained model, next to their targets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...data.dataset import Dataset
from ...project.predict import Predictions, predict
from ...project.run import Run
from ..dataset_preview import _to_image, image_shape
from ..probability_text import probability_text

SAMPLES = 8
THUMBNAIL = 40
RIGHT, WRONG = QColor("#1a7f37"), QColor("#d1242f")
UNTRAINED = "Train the model to see its predictions."
TRAINED = "The model is trained: press the button to see its predictions."


@dataclass(frozen=True)
class SamplePredictions:
    """What the model said about the samples at ``indices`` of ``dataset`` (targets unscaled)."""

    dataset: Dataset
    indices: np.ndarray
    predictions: Predictions


def predict_samples(run: Run, rng: np.random.Generator, count: int = SAMPLES) -> SamplePredictions:
    """``count`` random validation samples (training ones without a split) through ``run.model``."""
    data = run.data
    pool = data.val_indices if len(data.val_indices) else data.train_indices
    indices = np.sort(rng.choice(pool, size=min(count, len(pool)), replace=False))
    x = data.dataset.x[indices]
    return SamplePredictions(data.dataset, indices,
                             predict(run.model, run.loss, run.preprocessing, x, "the chosen samples"))


class PredictionsPanel(QWidget):
    """A table of samples: the input (a thumbnail for images), the target, the model's answer."""

    # the user asked for other samples
    requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button = QPushButton("Predict on new samples", self)
        self.button.setObjectName("predict_samples")
        self.button.setEnabled(False)
        self.button.clicked.connect(self.requested)
        self.note = QLabel(UNTRAINED, self)
        self.table = QTableWidget(self)
        self.table.setObjectName("predictions_table")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        bar = QHBoxLayout()
        bar.addWidget(self.button)
        bar.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def show_samples(self, samples: SamplePredictions) -> None:
        dataset, predictions = samples.dataset, samples.predictions
        shape = image_shape(dataset)
        classes = predictions.is_classification
        headers = ["sample", "input", "target", "prediction", "confidence" if classes else ""]
        self.table.clear()
        self.table.setColumnCount(len(headers) if classes else len(headers) - 1)
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(samples.indices))
        names = predictions.label_names()
        right = 0
        for row, index in enumerate(samples.indices):
            self.table.setItem(row, 0, QTableWidgetItem(str(int(index))))
            self.table.setItem(row, 1, _input_item(dataset.x[index], shape))
            if classes:
                target = dataset.class_names[int(dataset.y[index])]
                answer = _item(names[row], RIGHT if names[row] == target else WRONG)
                right += names[row] == target
                confidence = probability_text(float(predictions.probabilities[row].max()))
                self.table.setItem(row, 4, QTableWidgetItem(confidence))
            else:
                target = _numbers(dataset.y[index])
                answer = _item(_numbers(predictions.values[row]))
            self.table.setItem(row, 2, QTableWidgetItem(target))
            self.table.setItem(row, 3, answer)
        if shape is not None:
            self.table.verticalHeader().setDefaultSectionSize(THUMBNAIL + 6)
        count = len(samples.indices)
        self.note.setText(f"{right} of {count} right." if classes else f"{count} samples.")

    def set_available(self, available: bool) -> None:
        """Predictions need a trained model that is not training right now."""
        self.button.setEnabled(available)
        if available and self.table.rowCount() == 0:
            self.note.setText(TRAINED)

    def clear(self) -> None:
        """The model these predictions came from is gone (weights reset, network changed)."""
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.note.setText(UNTRAINED)


def _item(text: str, color: QColor | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if color is not None:
        item.setForeground(color)
    return item


def _numbers(values: np.ndarray) -> str:
    flat = np.ravel(values)
    shown = ", ".join(f"{v:.4g}" for v in flat[:4])
    return shown + (", …" if flat.size > 4 else "")


def _input_item(sample: np.ndarray, shape: tuple[int, int] | None) -> QTableWidgetItem:
    if shape is None:
        return QTableWidgetItem(_numbers(sample))
    item = QTableWidgetItem()
    pixmap = QPixmap.fromImage(_to_image(sample, *shape)).scaled(
        THUMBNAIL, THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
    item.setData(Qt.ItemDataRole.DecorationRole, pixmap)
    return item
