"""Safe file writing and weight files: atomic replace, and weight files (.npz, safetensors) that
never run code."""

from __future__ import annotations

import io
import os
import secrets
import stat
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import safetensors

from .array_sizes import NPY_MAGIC, ArraySizeError, check_array_file
from .file_set import finish_switch

# What the safetensors export writes into the file's metadata, and the newest version we read.
SAFETENSORS_FORMAT = "backprop-studio-weights"
SAFETENSORS_FORMAT_VERSION = 1

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members; an empty zip


class WeightsFileError(ValueError):
    """A weights file that cannot be loaded; the message names the file and the problem."""


def atomic_write(path: str | os.PathLike, write: Callable[[io.BufferedWriter], None]) -> None:
    """Write through ``write(file)`` into a temp file beside ``path``, then ``os.replace`` it.

    A crash or a full disk mid-write leaves the old file (or none), never a half-written one.
    The file keeps the permissions of the one it replaces; a new file gets the usual
    ``0o666 & ~umask`` (the temp file is private, 0o600, until it is complete).
    """
    target = Path(path)
    mode = _mode_for(target)
    # The name is chosen before the file exists, so the cleanup below also covers an interrupt
    # (Ctrl-C) that lands just after the file was created (``mkstemp`` would leave it behind).
    tmp = target.parent / f".{target.name}.{secrets.token_hex(8)}.tmp"
    try:
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))


def _mode_for(target: Path) -> int:
    """The permission bits a file written to ``target`` should get."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_current_umask()


def _current_umask() -> int:
    # Reading the umask means setting it: set a strict one for that instant, then restore it.
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def save_weights_npz(path: str | os.PathLike, weights: Mapping[str, np.ndarray]) -> None:
    """Save arrays keyed ``node/param`` to an uncompressed .npz, atomically."""
    atomic_write(path, lambda handle: _write_npz(handle, weights))


def weights_npz_bytes(weights: Mapping[str, np.ndarray]) -> bytes:
    """The .npz file ``save_weights_npz`` writes, in memory (for a set of files written together)."""
    buffer = io.BytesIO()
    _write_npz(buffer, weights)
    return buffer.getvalue()


def _write_npz(handle: io.IOBase, weights: Mapping[str, np.ndarray]) -> None:
    np.savez(handle, **{key: np.ascontiguousarray(value) for key, value in weights.items()})


def load_weights(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a weights file by its suffix: ``.safetensors``, else ``.npz``; keys ``node/param``.

    The one loader behind every ``--weights`` option, the window and the exports. A save of a
    file set into the same folder that was interrupted after its commit point is finished first
    (``file_set.finish_switch``), so the weights are read beside the files they were saved with.
    """
    source = Path(path)
    try:
        finish_switch(source.parent)
    except OSError as error:
        raise WeightsFileError(f"{source}: an interrupted save in its folder cannot be finished "
                               f"({error.strerror})") from None
    if not source.is_file():
        raise WeightsFileError(f"{source}: weights file not found")
    if source.suffix.lower() == ".safetensors":
        return load_safetensors_weights(source)
    return load_weights_npz(source)


def load_weights_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Load a weights .npz without pickle; a non-numeric array, or one whose header claims more than
    the file holds or the memory budget allows, is refused with the key named."""
    source = Path(path)
    with open(source, "rb") as handle:
        magic = handle.read(len(NPY_MAGIC))
    if magic.startswith(NPY_MAGIC):
        raise WeightsFileError(f"{source}: holds a single array, not a .npz of named weights")
    if not magic.startswith(_ZIP_MAGIC):
        raise WeightsFileError(f"{source}: not a .npz weights file")
    try:
        check_array_file(source)
    except ArraySizeError as error:
        raise WeightsFileError(str(error)) from None
    try:
        with np.load(source, allow_pickle=False) as archive:
            return {key: _npz_array(archive, key, source) for key in archive.files}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise WeightsFileError(f"{source}: not a valid .npz file (truncated or corrupt)") from None


def _npz_array(archive: np.lib.npyio.NpzFile, key: str, source: Path) -> np.ndarray:
    try:
        array = archive[key]
    except ValueError as error:  # object arrays would need pickle: refused
        raise WeightsFileError(f"{source}: array '{key}' is not numeric ({error})") from None
    if not isinstance(array, np.ndarray):  # a member without the .npy header comes back as bytes
        raise WeightsFileError(f"{source}: member '{key}' is not a NumPy array")
    _check_numeric(array, key, source)
    return array


def load_safetensors_weights(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The ``node/param`` arrays of a safetensors file; a bad file raises WeightsFileError naming it."""
    source = Path(path)
    try:
        with safetensors.safe_open(source, framework="np") as handle:
            metadata = handle.metadata() or {}
            # safe_open handles are not iterable: .keys() is needed.
            weights = {key: np.array(handle.get_tensor(key)) for key in handle.keys()}  # noqa: SIM118
    except (OSError, safetensors.SafetensorError, TypeError, ValueError) as error:
        raise WeightsFileError(f"{source}: not a readable safetensors weights file ({error})") from None
    version = metadata.get("format_version", "1") if metadata.get("format") == SAFETENSORS_FORMAT else "1"
    if not version.isdigit() or int(version) > SAFETENSORS_FORMAT_VERSION:
        raise WeightsFileError(
            f"{source}: weights format_version {version!r} is newer than this app reads "
            f"(up to {SAFETENSORS_FORMAT_VERSION}); update Backprop Studio"
        )
    for key, array in weights.items():
        _check_numeric(array, key, source)
    return weights


def _check_numeric(array: np.ndarray, key: str, source: Path) -> None:
    # Complex arrays are refused too: assigning them to the model would drop the imaginary part.
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise WeightsFileError(f"{source}: array '{key}' has dtype {array.dtype}; expected real numbers")
