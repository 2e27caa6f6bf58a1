"""The step-through's array view: the picture fits the shape, and a cell maps back to its index."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.gui.step_through.array_view import HISTOGRAM_BINS, ArrayView, view_kind


@pytest.mark.parametrize(("shape", "kind"), [
    ((10,), "bars"), ((64,), "bars"), ((65,), "histogram"), ((32, 64), "heatmap"),
    ((256, 3), "heatmap"), ((512, 3), "histogram"), ((32, 8, 6, 6), "tiles"), ((8, 3, 3), "tiles"),
    ((2, 3, 4, 5, 6), "histogram"),
])
def test_the_picture_fits_the_shape(shape, kind):
    assert view_kind(shape) == kind


@pytest.mark.parametrize(("shape", "shown"), [
    ((7,), (7,)), ((5, 9), (5, 9)), ((3, 6, 5), (3, 6, 5)),
    ((4, 3, 6, 5), (1, 3, 6, 5)),  # item 0's channels
    ((2, 16, 3, 4), (1, 16, 3, 4)),  # in a grid of several rows
    ((20, 1, 3, 3), (16, 1, 3, 3)),  # one channel: the first items
])
def test_every_cell_shown_maps_back_to_its_index(qtbot, shape, shown):
    array = np.arange(np.prod(shape), dtype=np.float64).reshape(shape) - 10
    view = ArrayView("a", array)
    qtbot.addWidget(view)
    for index in np.ndindex(*shown):
        assert view.index_at(view.point_of(index)) == index
    if len(shape) == 4:
        tiles = [array[index[:2]] for index in np.ndindex(*shown[:2])]
        for tile, drawn in zip(tiles, view.drawn, strict=True):
            np.testing.assert_array_equal(drawn, tile)


def test_a_large_array_is_a_histogram_of_its_values(qtbot):
    values = np.random.default_rng(0).standard_normal(5000)
    view = ArrayView("large", values)
    qtbot.addWidget(view)
    assert view.kind == "histogram"
    np.testing.assert_array_equal(view.drawn[0], np.histogram(values, bins=HISTOGRAM_BINS)[0])
    assert view.stats.text().startswith("shape (5000,)   mean ")
