"""A run's metric history as CSV: one row per epoch, one column per logged value."""

from __future__ import annotations

import csv
import io
import os

from ..engine.callbacks import History
from ..fileio import atomic_write_text


def history_csv(history: History) -> str:
    """``epoch,loss,<metrics>,val_loss,val_<metrics>,lr,seconds,samples_per_second`` rows.

    A run that ended before its first epoch gives the ``epoch`` header alone, still a valid table.
    """
    columns = history.columns() or {"epoch": []}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*columns.values(), strict=True))
    return buffer.getvalue()


def write_history_csv(path: str | os.PathLike, history: History) -> None:
    atomic_write_text(path, history_csv(history))
