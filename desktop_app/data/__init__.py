"""Datasets: shipped, generated and imported data, checked before training."""

from __future__ import annotations

from .csv_import import CsvFile, read_csv_dataset, read_csv_samples
from .dataset import Dataset
from .errors import DataError
from .idx_import import IdxFiles, read_idx, read_idx_dataset
from .numpy_import import NumpyFile, read_numpy_dataset, read_numpy_samples
from .shipped import SHIPPED_DATASETS
from .source import DatasetSource
from .toys import TOY_DATASETS

IMPORTED_DATASETS: tuple[type[DatasetSource], ...] = (CsvFile, NumpyFile, IdxFiles)
BUILTIN_DATASETS: tuple[type[DatasetSource], ...] = TOY_DATASETS + SHIPPED_DATASETS + IMPORTED_DATASETS

__all__ = [
    "BUILTIN_DATASETS",
    "IMPORTED_DATASETS",
    "SHIPPED_DATASETS",
    "TOY_DATASETS",
    "CsvFile",
    "IdxFiles",
    "NumpyFile",
    "DataError",
    "Dataset",
    "DatasetSource",
    "read_csv_dataset",
    "read_csv_samples",
    "read_idx",
    "read_idx_dataset",
    "read_numpy_dataset",
    "read_numpy_samples",
]
