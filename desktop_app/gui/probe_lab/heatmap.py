"""Arrays as pictures: a diverging colour per value (blue below 0, white at 0, red above) on a grid
that keeps an image's channels as tiles side by side and wraps a long vector into rows."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

NEGATIVE = np.array([31, 111, 235], dtype=np.float64)  # #1f6feb
POSITIVE = np.array([207, 34, 46], dtype=np.float64)  # #cf222e
GAP = np.array([234, 238, 242], dtype=np.float64)  # between tiles and after the last cell
VECTOR_COLUMNS = 32  # cells per row of a vector
TILE_COLUMNS = 16  # channel tiles per row of an image


def value_grid(values: np.ndarray) -> np.ndarray:
    """One sample's values laid out as a 2-D float grid, NaN where nothing is drawn: (C, H, W)
    as C tiles with 1-cell gaps, (H, W) as it is, anything else flattened into rows."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 2:
        return values
    if values.ndim == 3:
        channels, height, width = values.shape
        columns = min(channels, TILE_COLUMNS)
        rows = -(-channels // columns)
        grid = np.full((rows * (height + 1) - 1, columns * (width + 1) - 1), np.nan)
        for channel in range(channels):
            top, left = (channel // columns) * (height + 1), (channel % columns) * (width + 1)
            grid[top:top + height, left:left + width] = values[channel]
        return grid
    flat = values.ravel()
    columns = min(max(len(flat), 1), VECTOR_COLUMNS)
    grid = np.full(-(-len(flat) // columns) * columns, np.nan)
    grid[:len(flat)] = flat
    return grid.reshape(-1, columns)


def diverging_image(grid: np.ndarray, limit: float | None = None) -> QImage:
    """``grid`` coloured from blue (-limit) through white (0) to red (+limit); ``limit`` defaults
    to the largest magnitude in it."""
    finite = np.isfinite(grid)
    if limit is None:
        limit = float(np.abs(grid[finite]).max()) if finite.any() else 0.0
    share = np.clip(np.where(finite, grid, 0.0) / limit, -1.0, 1.0) if limit > 0 else np.zeros(grid.shape)
    tint = np.where(share[..., None] < 0, NEGATIVE, POSITIVE)
    rgb = 255.0 - (255.0 - tint) * np.abs(share)[..., None]
    rgb[~finite] = GAP
    pixels = np.ascontiguousarray(rgb.astype(np.uint8))
    height, width = grid.shape
    return QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
