"""Which samples are pictures: the shape the image views (previews, drawing board, weight images) use."""

from __future__ import annotations

import math

MIN_FLAT_SIDE = 7  # a flat sample of at least 7x7 unnamed values is taken for a square picture


def image_layout(
    sample_shape: tuple[int, ...], feature_names: tuple[str, ...] = ()
) -> tuple[int, int, int] | None:
    """(channels, H, W) when samples of ``sample_shape`` are images: (H, W), (1 or 3, H, W), or flat
    squares without feature names (the 8x8 digits as 64 values); None otherwise."""
    if len(sample_shape) == 2:
        return 1, sample_shape[0], sample_shape[1]
    if len(sample_shape) == 3 and sample_shape[0] in (1, 3):
        return sample_shape
    if len(sample_shape) == 1 and not feature_names and sample_shape[0] >= MIN_FLAT_SIDE ** 2:
        side = math.isqrt(sample_shape[0])
        if side * side == sample_shape[0]:
            return 1, side, side
    return None
