"""Sizes and colours of the canvas, in one place so nodes, edges and plots agree."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from PySide6.QtGui import QColor

NODE_WIDTH = 200.0
NODE_HEIGHT = 46.0
HEADER_HEIGHT = 21.0
PORT_RADIUS = 6.0
LAYER_SPACING = 48.0  # vertical gap between layers of the auto-layout
COLUMN_SPACING = 60.0  # horizontal gap between nodes of one layer

BACKGROUND = QColor("#f4f5f7")
GRID = QColor("#e3e6ea")
NODE_FILL = QColor("#ffffff")
NODE_BORDER = QColor("#8a94a3")
SELECTED_BORDER = QColor("#1f6feb")
ERROR_FILL = QColor("#fde2e1")
ERROR_BORDER = QColor("#d1242f")
TEXT = QColor("#1f2328")
MUTED_TEXT = QColor("#57606a")
EDGE = QColor("#6e7781")
EDGE_LABEL_FILL = QColor("#ffffff")

# Header colours of the built-in categories, in palette order; other categories get a stable
# colour from their name.
CATEGORY_COLORS = {
    "Core": "#4c6ef5",
    "Convolution": "#7048e8",
    "Pooling": "#1098ad",
    "Activation": "#e8590c",
    "Normalization": "#c2255c",
    "Regularization": "#5c940d",
    "Merge": "#e67700",
    "Reshape": "#495057",
}
_EXTRA = ("#0b7285", "#862e9c", "#a61e4d", "#364fc7", "#5f3dc4", "#2b8a3e", "#d9480f", "#087f5b")

# Distinct colours, one per layer with parameters: the canvas marks nodes with them and the
# training plots draw each layer's curves in its node's colour.
ACCENTS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a",
)


def category_color(category: str) -> QColor:
    known = CATEGORY_COLORS.get(category)
    if known:
        return QColor(known)
    return QColor(_EXTRA[zlib.crc32(category.encode("utf-8")) % len(_EXTRA)])


def accent_colors(names: Iterable[str]) -> dict[str, QColor]:
    """A distinct colour per name, in order (cycling after twelve)."""
    return {name: QColor(ACCENTS[index % len(ACCENTS)]) for index, name in enumerate(names)}
