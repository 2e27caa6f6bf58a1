"""The step-through's array view: the picture fits the shape, and a cell maps back to its index."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.gui.step_through.array_view import HISTOGRAM_BINS, ArrayView, statistics, view_kind


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
    assert view.stats.text().startswith("shape\u00a0(5000,)   mean\u00a0")


def tick_labels(axis, low: float, high: float) -> list[tuple[float, str]]:
    """(position, label) of every tick ``axis`` draws over ``low``..``high``."""
    return [(value, label) for spacing, values in axis.tickValues(low, high, 300)
            for value, label in zip(values, axis.tickStrings(values, 1.0, spacing), strict=True)]


@pytest.mark.parametrize(("shape", "axis", "centre"), [
    ((32, 2), "bottom", 0.5), ((2, 32), "left", 0.5), ((32, 3), "bottom", 0.5), ((3,), "bottom", 0.0),
])
def test_index_axes_label_whole_indices_on_the_cells_centres(qtbot, shape, axis, centre):
    """A heatmap of two columns was labelled 0, 0.5, 1, 1.5, 2 along its cell edges."""
    view = ArrayView("a", np.ones(shape))
    qtbot.addWidget(view)
    count = shape[1] if axis == "bottom" and len(shape) == 2 else shape[0]
    low, high = (0.0, float(count)) if centre else (-0.5, count - 0.5)
    ticks = tick_labels(view.plot.getAxis(axis), low, high)
    assert {label for _, label in ticks} == {str(index) for index in range(count)}
    assert all(value == int(label) + centre for value, label in ticks)


def test_outlining_a_checked_bar_keeps_the_plots_scale(qtbot):
    """The outline's pen counted in the plot's bounds: gradients of 0.01 were squashed flat."""
    view = ArrayView("dL/dbias", np.array([0.012, 0.001, -0.015]))
    qtbot.addWidget(view)
    before = view.plot.vb.childrenBounds()
    view.mark((0,))
    assert view.plot.vb.childrenBounds() == before


def test_statistics_wrap_between_fields_never_inside_one():
    text = statistics(np.array([[1.0, -2.0], [3.0, 4.0]]))
    fields = text.split("   ")
    assert [field.split("\u00a0", 1)[0] for field in fields] == ["shape", "mean", "std", "min", "max", "‖·‖"]
    assert all(" " not in field for field in fields)
    assert fields[-1] == "‖·‖\u00a05.477"


def test_a_relus_zero_is_not_shown_as_minus_zero():
    assert "min\u00a00   " in statistics(np.maximum(np.array([-0.0, -1.0, 2.0]), -0.0))
