"""Safe file writing and weight files: atomic replace, and .npz weights that never run code."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np


def atomic_write(path: str | os.PathLike, write: Callable[[io.BufferedWriter], None]) -> None:
    """Write through ``write(file)`` into a temp file beside ``path``, then ``os.replace`` it.

    A crash or a full disk mid-write leaves the old file (or none), never a half-written one.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))


def save_weights_npz(path: str | os.PathLike, weights: Mapping[str, np.ndarray]) -> None:
    """Save arrays keyed ``node/param`` to an uncompressed .npz, atomically."""
    arrays = {key: np.ascontiguousarray(value) for key, value in weights.items()}
    atomic_write(path, lambda handle: np.savez(handle, **arrays))


def load_weights_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Load a weights .npz without pickle; a non-numeric array is refused with the key named."""
    source = Path(path)
    try:
        archive = np.load(source, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise ValueError(f"{source}: not a readable .npz weights file ({error})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{source}: holds a single array, not a .npz of named weights")
    weights: dict[str, np.ndarray] = {}
    with archive:
        for key in archive.files:
            try:
                array = archive[key]
            except ValueError as error:  # object arrays would need pickle: refused
                raise ValueError(f"{source}: array '{key}' is not numeric ({error})") from None
            if not np.issubdtype(array.dtype, np.number):
                raise ValueError(f"{source}: array '{key}' has dtype {array.dtype}; expected numbers")
            weights[key] = array
    return weights
