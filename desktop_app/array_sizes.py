"""Size checks for .npy and .npz files, made before NumPy allocates what a header claims.

An .npy header states the array's shape and dtype, and NumPy allocates that much before reading
the data: a 300-byte file claiming 10^12 floats ends in a MemoryError. Here the claim is compared
with the bytes the file (or, in an .npz, the zip member) really holds and with the memory budget
(``engine.memory``). Only the headers are read, never the data.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path
from typing import IO

import numpy as np

from .engine.memory import MemoryBudget, format_bytes, memory_budget

NPY_MAGIC = b"\x93NUMPY"


class ArraySizeError(ValueError):
    """A file's array claims more data than the file holds, or more memory than the budget."""


def check_array_file(path: Path, budget: MemoryBudget | None = None) -> None:
    """Raise ArraySizeError naming ``path`` (and the array) when a claimed size cannot be right.

    A header NumPy cannot parse is left for ``np.load`` to report as it does.
    """
    budget = budget or memory_budget()
    with open(path, "rb") as handle:
        if handle.read(len(NPY_MAGIC)) == NPY_MAGIC:
            handle.seek(0)
            _check_npy(handle, path.stat().st_size, path, "the array", budget)
            return
    _check_npz(path, budget)


def _check_npz(path: Path, budget: MemoryBudget) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return
    with archive:
        for member in archive.infolist():
            name = f"array '{member.filename.removesuffix('.npy')}'"
            if member.file_size > budget.limit:
                raise ArraySizeError(f"{path}: {name} unpacks to {format_bytes(member.file_size)}, more "
                                     f"than the limit of {budget.describe()}")
            if member.filename.endswith(".npy"):
                try:
                    with archive.open(member) as handle:
                        _check_npy(handle, member.file_size, path, name, budget)
                except (zipfile.BadZipFile, OSError, EOFError):
                    continue  # a damaged member: np.load names it


def _check_npy(handle: IO[bytes], size: int, path: Path, name: str, budget: MemoryBudget) -> None:
    header = _read_header(handle)
    if header is None:
        return
    shape, dtype = header
    if dtype.hasobject:
        return  # pickled objects: np.load refuses them (allow_pickle=False)
    claimed = math.prod(shape) * dtype.itemsize
    held = size - handle.tell()
    described = f"shape {shape} and dtype {dtype} ({format_bytes(claimed)})"
    if claimed > held:
        raise ArraySizeError(f"{path}: not a readable NumPy file (truncated or corrupt: {name} announces "
                             f"{described}, but the file holds only {format_bytes(max(held, 0))} of it)")
    if claimed > budget.limit:
        raise ArraySizeError(f"{path}: {name} of {described} is more than the limit of {budget.describe()}")


def _read_header(handle: IO[bytes]) -> tuple[tuple[int, ...], np.dtype] | None:
    """The shape and dtype an .npy header announces; None when it is not a readable header."""
    try:
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(handle)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(handle)
    except (ValueError, EOFError, OSError, SyntaxError):
        return None
    return shape, dtype
