"""An axis that counts cells: ticks only at whole indices, placed on the cells' centres.

pyqtgraph's own axis picks steps for a continuous range, so a heatmap of two columns was labelled
0, 0.5, 1, 1.5, 2 along cell edges: a student reads "column 1.5", which does not exist.
"""

from __future__ import annotations

import math

import pyqtgraph as pg


class IndexAxis(pg.AxisItem):
    """Index ``i`` is drawn centred on ``i + centre`` (0.5 for image cells, 0 for bars)."""

    def __init__(self, orientation: str, centre: float) -> None:
        super().__init__(orientation)
        self.centre = centre
        self.enableAutoSIPrefix(False)

    def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802 - Qt's name
        low, high = minVal - self.centre, maxVal - self.centre
        levels = [(spacing, [value + self.centre for value in values if float(value).is_integer()])
                  for spacing, values in super().tickValues(low, high, size) if spacing >= 1]
        if levels:
            return levels
        return [(1.0, [index + self.centre for index in range(math.ceil(low), math.floor(high) + 1)])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        return [str(round(value - self.centre)) for value in values]
