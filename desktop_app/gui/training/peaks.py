"""Peak downsampling of a series that grows at its end: each pixel column's lowest and highest value.

pyqtgraph's "peak" mode, kept up to date as batches arrive: the columns already complete are kept
and only the last one, with the new points, is reduced again. A frame then costs the same at batch
100 and at batch 100,000, and the line still covers every pixel the full series would.
"""

from __future__ import annotations

import numpy as np


class PeakColumns:
    """The reduced form of one series on one view; ``reduce`` it again whenever either changes."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._first = 0  # the first point in view
        self._open = 0  # the first point of the last column, which new points may still extend
        self._x = self._low = self._high = np.empty(0)  # the complete columns so far

    def reduce(self, x: np.ndarray, y: np.ndarray, low: float, high: float, columns: int,
               series: object | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The points of ``y`` over ``x`` (ascending) in ``[low, high]``, one more each side (lines
        run to the edges), as two points per pixel column (its first x twice: the column's lowest
        then highest value) when they are more than two per column. Non-finite values are skipped
        within a column; a column of only non-finite values stays a gap.

        ``series``: data given again with the same ``series`` (not None) only grew at its end since,
        and the columns complete then are taken as they were."""
        first = max(int(np.searchsorted(x, low, side="left")) - 1, 0)
        stop = min(int(np.searchsorted(x, high, side="right")) + 1, len(x))
        if stop - first <= 2 * columns or high <= low:
            self._key = None
            return x[first:stop], y[first:stop]
        key = (series, low, high, columns)
        if series is None or key != self._key or first != self._first or stop < self._open:
            self._key, self._first, self._open = key, first, first
            self._x = self._low = self._high = np.empty(0)
        tail_x, tail_y = x[self._open:stop], y[self._open:stop]
        column = np.clip(((tail_x - low) * (columns / (high - low))).astype(np.int64), -1, columns)
        starts = np.flatnonzero(np.concatenate(([True], column[1:] != column[:-1])))
        with np.errstate(invalid="ignore"):
            lows = np.concatenate((self._low, np.fmin.reduceat(tail_y, starts)))
            highs = np.concatenate((self._high, np.fmax.reduceat(tail_y, starts)))
        xs = np.concatenate((self._x, tail_x[starts]))
        # all but the last column are complete: the next points can only extend the last one
        self._x, self._low, self._high = xs[:-1], lows[:-1], highs[:-1]
        self._open += int(starts[-1])
        values = np.empty(2 * len(xs))
        values[0::2], values[1::2] = lows, highs
        return np.repeat(xs, 2), values
