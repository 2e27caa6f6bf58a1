"""The real datasets shipped under resources/datasets/ (see its README for source and licence)."""

from __future__ import annotations

import gzip

import numpy as np

from ..engine.schema import ParamSpec, schema
from ..paths import DATASETS_DIR
from .csv_import import read_csv_dataset
from .dataset import Dataset
from .source import DatasetSource

DIGIT_LAYOUTS = ("flat", "image")


def read_optdigits() -> tuple[np.ndarray, np.ndarray]:
    """UCI optdigits 8x8 as shipped: x (1797, 64) float32 grey levels 0..16, y (1797,) int64 labels 0..9."""
    with gzip.open(DATASETS_DIR / "optdigits.csv.gz", "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.float32)
    return table[:, :64], table[:, 64].astype(np.int64)


def load_optdigits() -> tuple[np.ndarray, np.ndarray]:
    """optdigits ready for a bare Trainer (no scaler): x divided by 16, so in [0, 1]."""
    x, y = read_optdigits()
    return x / np.float32(16.0), y


def load_iris() -> Dataset:
    """UCI iris: 150 flowers, 4 measurements in cm, 3 species."""
    return read_csv_dataset(DATASETS_DIR / "iris.csv", target="species", header="yes", name="iris")


class Iris(DatasetSource):
    type_name = "iris"
    category = "Shipped"
    description = "UCI iris: 150 flowers, 4 measurements (cm), 3 species."

    def load(self) -> Dataset:
        dataset = load_iris()
        dataset.description = self.description
        return dataset


class Optdigits(DatasetSource):
    type_name = "optdigits"
    category = "Shipped"
    # Samples keep the file's grey levels 0..16, so inputs given to ``predict`` are in the same
    # units as the shipped CSV; the project's ``scaling`` normalizes them for training.
    description = ("UCI optdigits: 1,797 handwritten digits, 8x8 grey levels 0..16 (as in the file), "
                   "10 classes.")
    schema = schema(
        ParamSpec("layout", "choice", "flat", "flat: (64,) samples for dense layers; image: (1, 8, 8) "
                  "for convolutions", choices=DIGIT_LAYOUTS),
    )

    def load(self) -> Dataset:
        x, y = read_optdigits()
        if self.config["layout"] == "image":
            x = x.reshape(-1, 1, 8, 8)
        return Dataset(x, y, self.type_name, tuple(str(d) for d in range(10)),
                       description=self.description)


SHIPPED_DATASETS: tuple[type[DatasetSource], ...] = (Iris, Optdigits)
