"""The error bad data raises: names the file, the row and column, and the problem, before training."""

from __future__ import annotations


class DataError(ValueError):
    """Data that cannot be trained on: ragged, non-numeric, non-finite, empty or inconsistent.

    ``setting`` names the preparation argument that does not fit the data (``validation_split``,
    ``output_shape``), so a project can point at the JSON path that sets it.
    """

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting
