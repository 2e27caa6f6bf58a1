"""Sums over the batch written as matrix products: ``ones @ grad`` is a GEMV, faster than
``grad.sum(axis=0)``, and the ones vector is made once per (length, dtype)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=32)
def ones_vector(length: int, dtype: np.dtype) -> np.ndarray:
    """A shared, read-only vector of ones."""
    ones = np.ones(length, dtype=dtype)
    ones.flags.writeable = False
    return ones
