"""A run's metric history: as CSV (one row per epoch, one column per logged value) and as one line."""

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


# how a run ended, in words: the engine's reasons are identifiers ("early_stopping")
ENDINGS = {"early_stopping": "stopped early"}


def history_summary(history: History) -> str:
    """The last epoch's values on one line, and how the run ended."""
    ending = ENDINGS.get(history.reason, history.reason)
    if not history.epochs:
        return f"no epoch completed ({ending})"
    last = history.epochs[-1]
    values = "  ".join(f"{name} {value:.4g}" for name, value in last.logs.items())
    best = f", best epoch {history.best_epoch}" if history.best_epoch is not None else ""
    diverged = f", diverged at epoch {history.divergence.epoch}" if history.divergence is not None else ""
    return f"epoch {last.epoch}/{last.epochs} ({ending}{best}{diverged})  {values}"
