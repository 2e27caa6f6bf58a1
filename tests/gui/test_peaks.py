"""Peak downsampling kept up to date as a series grows: the same columns as reducing it afresh,
and every column's lowest and highest value, as the pixels of the full series would show."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.gui.training.peaks import PeakColumns


def brute_force(x, y, low, high, columns):
    """Each column's first x with its lowest and highest finite value, by a plain loop."""
    shown = [(a, b) for a, b in zip(x, y, strict=True) if low <= a <= high]
    before = [(a, b) for a, b in zip(x, y, strict=True) if a < low][-1:]
    after = [(a, b) for a, b in zip(x, y, strict=True) if a > high][:1]
    points = before + shown + after
    groups: dict[int, list[tuple[float, float]]] = {}
    for a, b in points:
        column = min(max(int((a - low) * columns / (high - low)), -1), columns)
        groups.setdefault(column, []).append((a, b))
    xs, values = [], []
    for column in sorted(groups):
        finite = [b for _a, b in groups[column] if np.isfinite(b)]
        lowest, highest = (min(finite), max(finite)) if finite else (np.nan, np.nan)
        xs += [groups[column][0][0]] * 2
        values += [lowest, highest]
    return np.array(xs), np.array(values)


@pytest.mark.parametrize("seed", range(4))
def test_growing_a_series_gives_the_columns_of_reducing_it_afresh(seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 10.0, 5000))
    y = rng.standard_normal(5000)
    y[rng.choice(5000, 40, replace=False)] = np.nan
    y[100:140] = np.nan  # a whole column without a finite value: a gap
    grown, size, before, reused = PeakColumns(), 0, None, 0
    while size < len(x):
        size = min(len(x), size + int(rng.integers(1, 400)))
        got = grown.reduce(x[:size], y[:size], 0.0, 12.0, 300, series=1)
        afresh = PeakColumns().reduce(x[:size], y[:size], 0.0, 12.0, 300)
        np.testing.assert_array_equal(got[0], afresh[0])
        np.testing.assert_array_equal(got[1], afresh[1])
        if before is not None:  # what it calls unchanged is what the previous call returned
            kept = grown.unchanged
            np.testing.assert_array_equal(got[0][:kept], before[0][:kept])
            np.testing.assert_array_equal(got[1][:kept], before[1][:kept])
            reused += kept > 0
        before = (got[0].copy(), got[1].copy())
    expected = brute_force(x, y, 0.0, 12.0, 300)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    assert len(got[0]) <= 2 * 301
    assert reused  # growth was recognised, in both modes


def test_a_series_that_is_not_marked_as_grown_is_never_reused():
    x = np.arange(100.0)
    peaks = PeakColumns()
    peaks.reduce(x[:50], x[:50], 0.0, 100.0, 200)
    peaks.reduce(x, x, 0.0, 100.0, 200)
    assert peaks.unchanged == 0


def test_a_view_inside_the_data_keeps_one_point_beyond_each_edge():
    x = np.arange(10_000, dtype=float)
    y = np.sin(x)
    xs, values = PeakColumns().reduce(x, y, 2000.0, 3000.0, 100)
    assert xs[0] == 1999.0 and xs[-1] >= 3000.0  # the line reaches both edges
    expected = brute_force(x, y, 2000.0, 3000.0, 100)
    np.testing.assert_array_equal(values, expected[1])


def test_few_points_are_drawn_as_they_are():
    x, y = np.arange(50.0), np.arange(50.0) ** 2
    xs, values = PeakColumns().reduce(x, y, 0.0, 49.0, 100)
    np.testing.assert_array_equal(xs, x)
    np.testing.assert_array_equal(values, y)


def test_other_data_under_the_same_series_is_not_mistaken_for_growth():
    """A new series (another ``series`` value) or another view reduces everything again."""
    x = np.linspace(0.0, 1.0, 4000)
    peaks = PeakColumns()
    peaks.reduce(x, np.zeros(4000), 0.0, 1.0, 100, series=1)
    xs, values = peaks.reduce(x, np.ones(4000), 0.0, 1.0, 100, series=2)
    assert np.all(values == 1.0)
    xs, values = peaks.reduce(x, np.ones(4000), 0.0, 0.5, 100, series=2)
    assert xs[-1] <= 0.51 and np.all(values == 1.0)


def test_several_columns_are_each_reduced_as_on_their_own():
    rng = np.random.default_rng(5)
    x = np.sort(rng.uniform(0.0, 10.0, 3000))
    y = rng.standard_normal((3000, 3))
    y[rng.random(y.shape) < 0.02] = np.nan
    together, size = PeakColumns(), 0
    alone = [PeakColumns() for _ in range(3)]
    while size < len(x):
        size = min(len(x), size + int(rng.integers(1, 300)))
        xs, values = together.reduce(x[:size], y[:size], 0.0, 10.0, 200, series=1)
        for column, peaks in enumerate(alone):
            own_x, own = peaks.reduce(x[:size], y[:size, column], 0.0, 10.0, 200, series=1)
            np.testing.assert_array_equal(xs, own_x)
            np.testing.assert_array_equal(values[:, column], own)
