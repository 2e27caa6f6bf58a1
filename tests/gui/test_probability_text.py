"""Probabilities never read as certainties they are not: 0.99996 is '>99.9 %', not '100.0 %'."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.data.dataset import Dataset
from desktop_app.gui.probability_text import probability_text
from desktop_app.gui.training.predictions import PredictionsPanel, SamplePredictions
from desktop_app.project.predict import Predictions


@pytest.mark.parametrize(("share", "text"), [
    (0.99996, ">99.9 %"), (0.99949, "99.9 %"), (1.0, "100.0 %"), (0.625, "62.5 %"),
    (0.00004, "<0.1 %"), (0.0005, "0.1 %"), (0.0, "0.0 %"),
])
def test_one_decimal_but_never_a_rounded_certainty(share, text):
    assert probability_text(share) == text


def test_the_predictions_tables_confidence_of_a_near_certain_answer(qtbot):
    dataset = Dataset(np.zeros((2, 2)), np.array([0, 1]), "two", class_names=("a", "b"))
    probabilities = np.array([[0.99996, 0.00004], [0.25, 0.75]])
    panel = PredictionsPanel()
    qtbot.addWidget(panel)
    panel.show_samples(SamplePredictions(dataset, np.array([0, 1]),
                                         Predictions(("a", "b"), probabilities, np.array([0, 1]))))
    assert [panel.table.item(row, 4).text() for row in range(2)] == [">99.9 %", "75.0 %"]
