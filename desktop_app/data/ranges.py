"""Casting to the engine's float type with overflow named: NumPy would turn a value beyond float32's
range into inf with a RuntimeWarning, and a later check would blame "NaN or inf in the data"."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import DataError

Position = tuple[int, ...]
FLOAT32_ADVICE = "datasets are held in float32: rescale these values (e.g. change their unit)"


def cast_in_range(
    values: np.ndarray, dtype: np.dtype | str, where: Callable[[Position], str], advice: str
) -> np.ndarray:
    """``values`` as a contiguous ``dtype`` array; a finite value too large for ``dtype`` raises
    DataError: ``where(position)``, the value, the type's range and ``advice``."""
    dtype = np.dtype(dtype)
    with np.errstate(over="ignore"):
        cast = np.ascontiguousarray(values, dtype=dtype)
    overflowed = np.isinf(cast) & np.isfinite(values)
    if overflowed.any():
        position = tuple(int(i) for i in np.argwhere(overflowed)[0])
        raise DataError(f"{where(position)}: {values[position]:.6g} is beyond the range of {dtype} "
                        f"(±{np.finfo(dtype).max:.4g}); {advice}")
    return cast


def sample_feature(prefix: str, suffix: str = "") -> Callable[[Position], str]:
    """``where`` for samples: ``"<prefix>sample 3, feature 1<suffix>"`` (a tuple for image pixels)."""
    def where(position: Position) -> str:
        feature = position[1] if len(position) == 2 else position[1:]
        return f"{prefix}sample {position[0]}, feature {feature}{suffix}"
    return where
