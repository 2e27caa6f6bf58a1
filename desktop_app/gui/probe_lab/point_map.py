"""The point map: the validation samples placed by the two principal axes of one node's outputs
(``project.probing.principal_projection``), coloured by class. Hovering names a sample, a click
probes it."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...project.probing import PointMap
from ..dataset_preview import _class_color

POINT_SIZE = 7


class PointMapView(QWidget):
    """``layer`` picks the node, ``follow`` asks for a new map after every epoch of a run."""

    # a point was clicked / hovered (-1: none): its index among the mapped samples
    sample_clicked = Signal(int)
    sample_hovered = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = QComboBox(self)
        self.layer.setObjectName("point_map_layer")
        self.follow = QCheckBox("Refresh after every epoch while training", self)
        self.follow.setObjectName("point_map_follow")
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.key = QLabel(self)  # which colour is which class
        self.key.setObjectName("point_map_key")
        self.key.setWordWrap(True)
        self.plot = pg.PlotWidget(self, background="w")
        self.plot.setObjectName("point_map_plot")
        self.plot.setMenuEnabled(False)
        # what a point's tooltip says, by its index (set by the lab, which knows the samples)
        self.describe: Callable[[int], str] = str
        self.scatter = pg.ScatterPlotItem(size=POINT_SIZE, hoverable=True, hoverSize=POINT_SIZE + 4,
                                          hoverPen=pg.mkPen("#1f2328", width=1.5), tip=self._tip)
        self.plot.addItem(self.scatter)
        self.plot.setLabel("bottom", "principal axis 1")
        self.plot.setLabel("left", "principal axis 2")
        self.scatter.sigClicked.connect(self._clicked)
        self.scatter.sigHovered.connect(self._hovered)
        top = QHBoxLayout()
        top.addWidget(QLabel("Layer", self))
        top.addWidget(self.layer, 1)
        top.addWidget(self.follow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.caption)
        layout.addWidget(self.key)
        layout.addWidget(self.plot, 1)
        self.coords = np.zeros((0, 2))

    def set_layers(self, names: list[str], chosen: str) -> None:
        """Offer ``names``, keeping the chosen one when it is still there (no signal)."""
        current = self.layer.currentText() or chosen
        self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.addItems(names)
        self.layer.setCurrentText(current if current in names else chosen)
        self.layer.blockSignals(False)

    def show_map(self, mapped: PointMap, labels: np.ndarray | None, caption: str,
                 class_names: Sequence[str] = ()) -> None:
        """``labels``: each point's class (None: one colour), named by ``class_names``."""
        self.coords = mapped.coords
        brushes = ([pg.mkBrush(_class_color(int(label))) for label in labels] if labels is not None
                   else pg.mkBrush(_class_color(0)))
        self.scatter.setData(x=mapped.coords[:, 0], y=mapped.coords[:, 1], brush=brushes,
                             data=np.arange(len(mapped.coords)), pen=pg.mkPen("w", width=0.6))
        first, second = (100 * share for share in mapped.explained)
        self.plot.setLabel("bottom", f"principal axis 1 ({first:.0f} % of the variance)")
        self.plot.setLabel("left", f"principal axis 2 ({second:.0f} %)")
        self.caption.setText(caption)
        self.key.setText(_colour_key(class_names) if labels is not None else "")
        self.key.setVisible(labels is not None and bool(class_names))

    def clear(self, caption: str = "") -> None:
        self.coords = np.zeros((0, 2))
        self.scatter.clear()
        self.caption.setText(caption)
        self.key.hide()

    def _tip(self, x: float, y: float, data: object) -> str:
        return self.describe(int(data))

    def _clicked(self, _item, points, _event) -> None:
        if len(points):
            self.sample_clicked.emit(int(points[0].data()))

    def _hovered(self, _item, points, _event) -> None:
        self.sample_hovered.emit(int(points[0].data()) if len(points) else -1)


def _colour_key(class_names: Sequence[str]) -> str:
    """Rich text: a square in each class's colour before its name."""
    return "&nbsp;&nbsp; ".join(
        f'<span style="color:{_class_color(index).name()}">&#9632;</span>&nbsp;{html.escape(name)}'
        for index, name in enumerate(class_names))
