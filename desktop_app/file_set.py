"""Replace several files of one folder as a unit: the folder ends with the whole old set or the
whole new set, whatever interrupts the writer (an error, Ctrl-C, SIGKILL, a power cut).

POSIX renames one name at a time, so the switch is journalled in a hidden folder beside the files:

1. the new files are written and flushed to disk in a fresh ``.fileset-<random>.tmp`` folder;
2. one rename turns that folder into ``.fileset-commit``: from here on, the new set wins;
3. each file is renamed over its old one (in the order given: a manifest last), then the
   journal folder is removed.

An interruption before step 2 leaves the old set untouched beside a stale ``.tmp`` folder; after
it, the journal holds the new files not yet moved. ``recover`` (the first thing every write does)
deletes stale ``.tmp`` folders and finishes a committed switch; ``finish_switch`` (safe for
readers, which must not delete another writer's staging folder) does only the latter. Two
processes writing the same folder at the same time are not supported.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

STAGING_PREFIX = ".fileset-"
STAGING_SUFFIX = ".tmp"
JOURNAL = ".fileset-commit"


class FileSetError(ValueError):
    """A set that cannot be written; nothing was replaced. The message names the file."""


def replace_files(folder: str | os.PathLike, files: Mapping[str, bytes]) -> None:
    """Replace ``folder/<name>`` by ``files[name]`` for every name, all or none."""
    folder = Path(folder)
    recover(folder)
    check_replaceable(folder, files)
    staging = folder / f"{STAGING_PREFIX}{secrets.token_hex(8)}{STAGING_SUFFIX}"
    journal = folder / JOURNAL
    try:
        staging.mkdir()
        for name, data in files.items():
            _write_synced(staging / name, data)
        sync_folder(staging)
        os.rename(staging, journal)
        sync_folder(folder)
        _switch(folder, list(files))
    except BaseException:
        # Before the commit: drop the new files. After it (an interrupt during the renames):
        # complete the switch, so that the caller leaves the new set behind.
        shutil.rmtree(staging, ignore_errors=True)
        finish_switch(folder)
        raise


def check_replaceable(folder: Path, names: Iterable[str]) -> None:
    """Refuse a set whose target names are taken by something that is not a file (a folder)."""
    for name in names:
        target = folder / name
        if target.exists() and not target.is_file():
            raise FileSetError(f"{target} is a folder, not a file: nothing was replaced")


def recover(folder: str | os.PathLike) -> None:
    """Make ``folder`` hold one whole set again after an interrupted write (for writers)."""
    folder = Path(folder)
    finish_switch(folder)
    if folder.is_dir():
        for stale in folder.glob(f"{STAGING_PREFIX}*{STAGING_SUFFIX}"):
            shutil.rmtree(stale, ignore_errors=True)


def finish_switch(folder: str | os.PathLike) -> None:
    """Complete a switch that was committed but interrupted before all its files moved."""
    folder = Path(folder)
    journal = folder / JOURNAL
    if journal.is_dir():
        _switch(folder, sorted(os.listdir(journal)))


def _switch(folder: Path, names: list[str]) -> None:
    journal = folder / JOURNAL
    for name in names:
        source = journal / name
        if source.exists():
            os.replace(source, folder / name)
    journal.rmdir()
    sync_folder(folder)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (its renames) to disk; Windows has no such call and needs none."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
