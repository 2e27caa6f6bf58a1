"""How commands name a kept run (RUN): the path of its folder, as ``runs list`` prints it."""

from __future__ import annotations

from pathlib import Path

from ..project.run_store import KeptRun, RunStoreError, listed_run, read_run
from .errors import CliError

RUN_HELP = "a run folder, as 'backprop-studio runs list PROJECT' prints it"


def chosen_run(given: str, option: str = "RUN", broken: bool = False) -> KeptRun:
    """The kept run in the folder ``given``; one clear line when it is not one. ``broken``: a
    run folder that cannot be read (``runs list`` marks it broken) is taken too."""
    folder = Path(given)
    if not folder.is_dir():
        raise CliError(f"{option}: no such run folder: {given} ('backprop-studio runs list PROJECT' "
                       "lists a project's runs)")
    try:
        return read_run(folder)
    except RunStoreError as error:
        run = listed_run(folder) if broken else None
        if run is None:
            raise CliError(f"{option}: {error}") from None
        return run


def shown(path: Path) -> Path:
    """``path`` relative to the current folder when it is inside it (as the user would type it)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def format_seconds(seconds: float | None) -> str:
    """``42.1s``, ``3m 05s``, ``1h 02m``: a run's duration as a table shows it."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def format_best(best: dict | None) -> str:
    """``val_accuracy 0.9667 @12`` (the metric, its best value and the epoch of it)."""
    if not best:
        return "-"
    return f"{best['name']} {best['value']:.4g} @{best['epoch']}"
