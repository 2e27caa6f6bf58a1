"""The probe lab's Unit tab: its title says all it means to, and before a unit is chosen it shows
no plot (an empty one drew a made-up axis with a marker at 0)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QTextDocument

from desktop_app.gui.probe_lab.unit_view import UnitView


def shown_text(label) -> str:
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


def show_a_unit(view: UnitView) -> None:
    weights = np.linspace(-0.5, 0.75, 64)
    view.show_unit("hidden", 30, weights, (1, 8, 8), np.linspace(-2.0, 3.0, 50), current=1.5)


def test_the_title_reads_whole_with_its_colour_key_and_largest_weight(qtbot):
    view = UnitView()
    qtbot.addWidget(view)
    show_a_unit(view)
    assert shown_text(view.title) == ("hidden, unit 30: picture of its input pixels (blue < 0 < red); "
                                      "largest |w| 0.75")


def test_the_histogram_shows_only_while_a_unit_is_chosen(qtbot):
    view = UnitView()
    qtbot.addWidget(view)
    view.show()
    assert not view.histogram.isVisible() and not view.marker.isVisible()
    show_a_unit(view)
    assert view.histogram.isVisible() and view.marker.isVisible()
    view.clear()
    assert not view.histogram.isVisible() and not view.marker.isVisible()
