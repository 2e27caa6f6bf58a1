"""The dataset preview draws samples whose pixels span float32's whole range without NumPy warnings."""

from __future__ import annotations

import warnings

import numpy as np

from desktop_app.gui.dataset_preview import _to_image


def test_pixels_near_the_float32_limit_stretch_to_black_and_white(qapp):
    sample = np.array([[-3e38, 0.0], [3e38, 3e38]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        image = _to_image(sample, 2, 2)
    assert [image.pixelColor(x, y).value() for y in range(2) for x in range(2)] == [255, 128, 0, 0]
