"""The probe lab's point map says which colour is which class (its points were coloured by class
with no key: a class could not tell the digits apart on it)."""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtGui import QColor, QTextDocument

from desktop_app.gui.dataset_preview import _class_color
from desktop_app.gui.probe_lab.point_map import PointMapView
from desktop_app.project.probing import principal_projection


def test_each_class_is_named_beside_its_colour(qtbot):
    view = PointMapView()
    qtbot.addWidget(view)
    view.show()
    outputs = np.random.default_rng(0).standard_normal((12, 5))
    labels = np.array([0, 1, 2] * 4)
    view.show_map(principal_projection(outputs), labels, "12 samples", ("cat", "dog", "bird"))
    assert view.key.isVisible()
    document = QTextDocument()
    document.setHtml(view.key.text())
    assert document.toPlainText().split() == ["■", "cat", "■", "dog", "■", "bird"]
    shown = [QColor(colour) for colour in re.findall(r"color:(#[0-9a-f]{6})", view.key.text())]
    assert shown == [_class_color(index) for index in range(3)]
    brushes = [point.brush().color() for point in view.scatter.points()[:3]]
    assert brushes == shown  # the key's colours are the points' colours


def test_no_key_without_classes(qtbot):
    view = PointMapView()
    qtbot.addWidget(view)
    view.show()
    view.show_map(principal_projection(np.random.default_rng(1).standard_normal((6, 3))), None, "6")
    assert not view.key.isVisible()
