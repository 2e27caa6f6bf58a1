"""Peak downsampling of a series that grows at its end: each pixel column's lowest and highest value.

pyqtgraph's "peak" mode, kept up to date as batches arrive: the columns already complete are kept
and only the last one, with the new points, is reduced again. A frame then costs the same at batch
100 and at batch 100,000, and the line still covers every pixel the full series would.

Written for a GUI thread that shares the GIL with a training thread: NumPy lets the GIL go around
each operation on a large array (and around every ``searchsorted`` and ``reduceat``), and each time
it does the training thread takes it and the GUI thread waits to get it back. So a frame touches
only the new points: the edges are found with ``bisect``, the output lives in buffers written in
place, and ``unchanged`` tells the caller how much of it is as it was.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy as np

# below this many new points a column's extremes are taken one column at a time: ``reduceat``
# releases the GIL even on a handful of points, a small ``min``/``max`` does not
FEW_POINTS = 256


class PeakColumns:
    """The reduced form of one series on one view; ``reduce`` it again whenever either changes."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._first = 0  # the first point in view
        self._open = 0  # the first point of the last column, which new points may still extend
        self._stop = 0  # the end of the points reduced so far
        self._done = 0  # complete columns in the buffers
        self._x = self._values = np.empty(0)  # two entries per column: its first x twice; low, high
        # the leading entries of the last result that are the same as in the result before it
        self.unchanged = 0

    def reduce(self, x: np.ndarray, y: np.ndarray, low: float, high: float, columns: int,
               series: object | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The points of ``y`` over ``x`` (ascending) in ``[low, high]``, one more each side (lines
        run to the edges), as two points per pixel column (its first x twice: the column's lowest
        then highest value) when they are more than two per column. Non-finite values are skipped
        within a column; a column of only non-finite values stays a gap. ``y`` may have several
        columns (a row per x): each is reduced as it would be on its own.

        ``series``: data given again with the same ``series`` (not None) only grew at its end since,
        and what was reduced then is taken as it was. The arrays returned are views, valid until
        the next call."""
        first = max(bisect_left(x, low) - 1, 0)
        stop = min(bisect_right(x, high) + 1, len(x))
        peaks = stop - first > 2 * columns and high > low
        key = (series, low, high, columns, peaks, y.shape[1:])
        grown = series is not None and key == self._key and first == self._first and stop >= self._stop
        self._key, self._first = key, first
        if not peaks:
            self.unchanged = self._stop - first if grown else 0
            self._stop = stop
            return x[first:stop], y[first:stop]
        if not grown:
            self._open, self._done = first, 0
            self._x = np.empty(2 * (columns + 2))  # columns -1 .. columns
            self._values = np.empty((len(self._x), *y.shape[1:]))
        self._stop = stop
        tail_x, tail_y = x[self._open:stop], y[self._open:stop]
        column = ((tail_x - low) * (columns / (high - low))).astype(np.int64)
        np.minimum(column, columns, out=column)  # (np.clip costs several times more on few points)
        np.maximum(column, -1, out=column)
        starts = np.flatnonzero(np.concatenate(([True], column[1:] != column[:-1])))
        lows, highs = _extremes(tail_y, starts)
        done, count = self._done, self._done + len(starts)
        self._x[2 * done:2 * count] = np.repeat(tail_x[starts], 2)
        self._values[2 * done:2 * count:2] = lows
        self._values[2 * done + 1:2 * count:2] = highs
        # all but the last column are complete: the next points can only extend the last one
        self.unchanged = 2 * done
        self._done = count - 1
        self._open += int(starts[-1])
        return self._x[:2 * count], self._values[:2 * count]


def _extremes(y: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest finite value of each run of ``y``'s rows from one start to the next
    (NaN for a run without one), per column."""
    with np.errstate(invalid="ignore"):
        if len(y) > FEW_POINTS:
            return np.fmin.reduceat(y, starts), np.fmax.reduceat(y, starts)
        ends = [*starts[1:].tolist(), len(y)]
        runs = [y[start:end] for start, end in zip(starts.tolist(), ends, strict=True)]
        return (np.array([np.fmin.reduce(run, axis=0) for run in runs]),
                np.array([np.fmax.reduce(run, axis=0) for run in runs]))
