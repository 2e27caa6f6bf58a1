"""Import a CSV table: numeric feature columns and one target column, checked cell by cell.

Every problem is reported with the file, the line in the file and the column (number and name):
ragged rows, non-numeric or empty cells, NaN or inf, an empty file, a target column that does not
exist. Only Python's csv module reads the file; nothing in it is ever executed.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engine.schema import ParamSpec, schema
from .dataset import Dataset
from .errors import DataError
from .ranges import FLOAT32_ADVICE, cast_in_range
from .source import DatasetSource
from .targets import TASK_OPTION, TargetTask, encode_targets

HEADER_CHOICES = ("auto", "yes", "no")
# What a NaN or infinite feature cell means for the data being read.
TRAINING_NONFINITE = "NaN or infinite values cannot be trained on"
PREDICTION_NONFINITE = "NaN or infinite inputs have no prediction; fix or remove the row"


@dataclass
class _Table:
    path: Path
    rows: list[list[str]]
    lines: list[int]  # the file line each row starts on (1-based)
    header: list[str] | None

    def column_label(self, index: int) -> str:
        label = f"column {index + 1}"
        return f"{label} ('{self.header[index]}')" if self.header else label


def read_csv_dataset(
    path: str | os.PathLike,
    target: str = "-1",
    header: str = "auto",
    delimiter: str = ",",
    task: TargetTask = "auto",
    name: str | None = None,
) -> Dataset:
    """A Dataset from a CSV file; ``target`` is a column name or a 0-based index (negative from the end).

    ``header="auto"`` takes the first row as column names when none of its cells is a number.
    """
    table = _read_table(Path(path), header, delimiter)
    target_index = _target_index(table, target)
    features = [j for j in range(len(table.rows[0])) if j != target_index]
    if not features:
        raise DataError(f"{table.path}: no feature columns besides the target column")
    x = _feature_matrix(table, features, TRAINING_NONFINITE)
    y, class_names = _targets(table, target_index, task)
    feature_names = tuple(table.header[j] for j in features) if table.header else ()
    return Dataset(x, y, name or table.path.stem, class_names, feature_names, f"imported from {table.path}")


def read_csv_samples(path: str | os.PathLike, header: str = "auto", delimiter: str = ",") -> np.ndarray:
    """Every column of a CSV as float32 samples (N, columns): new inputs to predict on."""
    table = _read_table(Path(path), header, delimiter)
    return _feature_matrix(table, list(range(len(table.rows[0]))), PREDICTION_NONFINITE)


def _read_table(path: Path, header: str, delimiter: str) -> _Table:
    if header not in HEADER_CHOICES:
        raise DataError(f"{path}: header must be one of {list(HEADER_CHOICES)}. Received: {header!r}")
    if len(delimiter) != 1:
        raise DataError(f"{path}: the delimiter must be one character. Received: {delimiter!r}")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            rows, lines = [], []
            start = 1
            for row in reader:
                if any(cell.strip() for cell in row):
                    rows.append([cell.strip() for cell in row])
                    lines.append(start)
                start = reader.line_num + 1
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not a UTF-8 text file ({error.reason} at byte {error.start})") from None
    except csv.Error as error:
        raise DataError(f"{path}: line {reader.line_num}: not valid CSV ({error})") from None
    if not rows:
        raise DataError(f"{path}: the file is empty; expected rows of comma-separated values")
    has_header = header == "yes" or (header == "auto" and not any(_is_number(c) for c in rows[0]))
    names = rows.pop(0) if has_header else None
    first_line = lines.pop(0) if has_header else None
    if not rows:
        raise DataError(f"{path}: the file has a header (line {first_line}) but no data rows")
    _check_ragged(path, rows, lines, names, first_line)
    return _Table(path, rows, lines, names)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _check_ragged(path: Path, rows: list[list[str]], lines: list[int], names: list[str] | None,
                  header_line: int | None) -> None:
    width = len(names) if names is not None else len(rows[0])
    reference = f"the header on line {header_line}" if names is not None else f"line {lines[0]}"
    for row, line in zip(rows, lines, strict=True):
        if len(row) != width:
            raise DataError(
                f"{path}: line {line}: expected {width} columns (as {reference}). Received: {len(row)}"
            )


def _target_index(table: _Table, target: str) -> int:
    width = len(table.rows[0])
    target = str(target).strip()
    if table.header and target in table.header:
        return table.header.index(target)
    try:
        index = int(target)
    except ValueError:
        columns = f" Columns: {table.header}" if table.header else " (the file has no header row)"
        raise DataError(f"{table.path}: target column '{target}' does not exist.{columns}") from None
    if not -width <= index < width:
        raise DataError(
            f"{table.path}: target column index {index} does not exist; the file has {width} columns"
        )
    return index % width


def _feature_matrix(table: _Table, features: list[int], nonfinite_problem: str) -> np.ndarray:
    cells = [[row[j] for j in features] for row in table.rows]
    try:
        x = np.array(cells, dtype=np.float64)
    except ValueError:
        _raise_first_bad_cell(table, features)
        raise
    bad = ~np.isfinite(x)
    if bad.any():
        i, k = (int(v) for v in np.argwhere(bad)[0])
        raise DataError(
            f"{table.path}: line {table.lines[i]}, {table.column_label(features[k])}: "
            f"{nonfinite_problem}. Received: {table.rows[i][features[k]]!r}"
        )
    def cell(position: tuple[int, ...]) -> str:
        return f"{table.path}: line {table.lines[position[0]]}, {table.column_label(features[position[1]])}"

    return cast_in_range(x, np.float32, cell, FLOAT32_ADVICE)


def _raise_first_bad_cell(table: _Table, features: list[int]) -> None:
    for row, line in zip(table.rows, table.lines, strict=True):
        for j in features:
            if not _is_number(row[j]):
                problem = "empty cell" if not row[j] else "not a number"
                raise DataError(
                    f"{table.path}: line {line}, {table.column_label(j)}: {problem}; expected a "
                    f"numeric feature. Received: {row[j]!r}"
                )


def _targets(table: _Table, index: int, task: TargetTask) -> tuple[np.ndarray, tuple[str, ...]]:
    where = f"{table.path}: target {table.column_label(index)}"
    cells = [row[index] for row in table.rows]
    for cell, line in zip(cells, table.lines, strict=True):
        if not cell:
            raise DataError(f"{table.path}: line {line}, {table.column_label(index)}: the target is empty")
    numeric = all(_is_number(cell) for cell in cells)
    if task == "regression" and not numeric:
        line, cell = next((ln, c) for ln, c in zip(table.lines, cells, strict=True) if not _is_number(c))
        raise DataError(
            f"{table.path}: line {line}, {table.column_label(index)}: regression targets must be "
            f"numbers. Received: {cell!r}"
        )
    values = np.array(cells, dtype=np.float64) if numeric else np.array(cells)
    if numeric and not np.isfinite(values).all():
        line = table.lines[int(np.argmax(~np.isfinite(values)))]
        raise DataError(f"{table.path}: line {line}, {table.column_label(index)}: the target is NaN or inf")
    return encode_targets(values, task, where)


class CsvFile(DatasetSource):
    type_name = "csv"
    category = "Imported"
    description = "A CSV table: numeric feature columns and a target column (numbers or category names)."
    path_options = ("path",)
    schema = schema(
        ParamSpec("path", "str", "", "the CSV file (relative paths start at the project's folder)",
                  required=True),
        ParamSpec("target", "str", "-1", "target column: its name, or a 0-based index (-1: the last)"),
        ParamSpec("header", "choice", "auto", "is the first row column names?", choices=HEADER_CHOICES),
        ParamSpec("delimiter", "str", ",", "the character between cells"),
        TASK_OPTION,
    )

    def load(self) -> Dataset:
        return read_csv_dataset(**self.config)
