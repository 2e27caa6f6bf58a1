"""The real datasets shipped under resources/datasets/ (see its README for source and licence)."""

from __future__ import annotations

import gzip

import numpy as np

from ..paths import DATASETS_DIR


def load_optdigits() -> tuple[np.ndarray, np.ndarray]:
    """UCI optdigits 8x8: x (1797, 64) float32 scaled to [0, 1], y (1797,) int64 labels 0..9."""
    with gzip.open(DATASETS_DIR / "optdigits.csv.gz", "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.float32)
    return table[:, :64] / np.float32(16.0), table[:, 64].astype(np.int64)
