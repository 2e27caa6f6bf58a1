"""Output files named on the command line, checked before any work so a mistake costs nothing."""

from __future__ import annotations

from pathlib import Path

from .errors import CliError


def check_output_file(path: Path, option: str = "-o/--output") -> None:
    """Refuse an output that cannot become a file: an existing folder, or a folder that is missing.

    Without this, the atomic write would fail at the very end, naming its hidden temp file.
    """
    if path.is_dir():
        raise CliError(f"{option}: {path} is a folder; expected a file name")
    if not path.parent.is_dir():
        raise CliError(f"{option}: cannot write {path}: the folder {path.parent} does not exist")
