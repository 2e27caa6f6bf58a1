"""The error bad data raises: names the file, the row and column, and the problem, before training."""

from __future__ import annotations


class DataError(ValueError):
    """Data that cannot be trained on: ragged, non-numeric, non-finite, empty or inconsistent."""
