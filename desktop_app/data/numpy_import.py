"""Import NumPy arrays: an .npz holding X and y, or an .npy of samples plus an .npy of targets.

``np.load(..., allow_pickle=False)``: an array of Python objects would need pickle to load and is
refused with the file and the array named; loading never runs code from the file. Complex arrays
are refused too (training would drop their imaginary part), and a file that is not NumPy's is
named as such before NumPy guesses at it. An array whose header claims more data than the file
holds, or more memory than the budget, is refused before NumPy allocates it (``array_sizes``).
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..array_sizes import NPY_MAGIC, ArraySizeError, check_array_file
from ..engine.schema import ParamSpec, schema
from .dataset import Dataset
from .errors import DataError
from .source import DatasetSource
from .targets import TASK_OPTION, TargetTask, encode_targets

ZIP_MAGIC = b"PK\x03\x04"  # an .npz is a zip archive of .npy files
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
# What NumPy raises for a damaged file: a cut or corrupt zip, deflate data or .npy header.
DAMAGED = (EOFError, OSError, zipfile.BadZipFile, zlib.error)


def read_numpy_dataset(
    path: str | os.PathLike,
    y_path: str | os.PathLike = "",
    x_key: str = "x",
    y_key: str = "y",
    task: TargetTask = "auto",
    name: str | None = None,
) -> Dataset:
    """A Dataset from ``path`` (.npz with arrays ``x_key``/``y_key``) or from two .npy files."""
    source = Path(path)
    loaded = _open(source)
    if isinstance(loaded, np.lib.npyio.NpzFile):
        x, y = _from_npz(source, loaded, x_key, y_key)
        where = f"{source}: array '{y_key}'"
    elif y_path:
        x, y = _real(source, "X", loaded), _real(Path(y_path), "y", _load_npy(Path(y_path)))
        where = f"{y_path}"
    else:
        raise DataError(f"{source}: a .npy file holds one array; give the targets' .npy file as y_path "
                        "(or use an .npz holding both)")
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if len(x) != len(y):
        raise DataError(f"{source}: X has {len(x)} samples but y has {len(y)}; expected the same number")
    if not np.issubdtype(x.dtype, np.number) and x.dtype != np.bool_:
        raise DataError(f"{source}: X must be numeric. Received dtype {x.dtype}")
    _check_finite(source, x)
    labels, class_names = encode_targets(y, task, where)
    return Dataset(x, labels, name or source.stem, class_names, description=f"imported from {source}")


def read_numpy_samples(path: str | os.PathLike, x_key: str = "x") -> np.ndarray:
    """New inputs to predict on: an .npy array, or an .npz's ``x_key`` array (or its only array)."""
    source = Path(path)
    loaded = _open(source)
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        return _real(source, "the array", loaded)
    with loaded:
        key = loaded.files[0] if len(loaded.files) == 1 else _key(source, loaded, x_key)
        return _read_array(source, loaded, key)


def _from_npz(
    path: Path, archive: np.lib.npyio.NpzFile, x_key: str, y_key: str
) -> tuple[np.ndarray, np.ndarray]:
    with archive:
        x_name, y_name = _key(path, archive, x_key), _key(path, archive, y_key)
        if x_name == y_name:
            raise DataError(f"{path}: X and y must be two different arrays. Received '{x_name}' for both")
        return _read_array(path, archive, x_name), _read_array(path, archive, y_name)


def _key(path: Path, archive: np.lib.npyio.NpzFile, wanted: str) -> str:
    """``wanted`` itself, else its other case ("x" finds "X")."""
    for candidate in (wanted, wanted.swapcase()):
        if candidate in archive.files:
            return candidate
    raise DataError(f"{path}: no array named '{wanted}'. Arrays in the file: {archive.files}")


def _read_array(path: Path, archive: np.lib.npyio.NpzFile, key: str) -> np.ndarray:
    try:
        array = archive[key]
    except ValueError as error:
        if not _needs_pickle(error):
            raise _damaged(path, error) from None
        raise DataError(
            f"{path}: array '{key}' holds Python objects, which cannot be loaded without running "
            "code (allow_pickle=False); save it as a numeric or string array"
        ) from None
    except DAMAGED as error:
        raise _damaged(path, error) from None
    return _real(path, f"array '{key}'", array)


def _load_npy(path: Path) -> np.ndarray:
    array = _open(path)
    if isinstance(array, np.lib.npyio.NpzFile):
        array.close()
        raise DataError(f"{path}: is an .npz archive; expected a single .npy array")
    return array


def _real(path: Path, what: str, array: np.ndarray) -> np.ndarray:
    """``array`` unless it holds complex numbers, which training would silently cut to their real part."""
    if np.iscomplexobj(array):
        raise DataError(f"{path}: {what} holds complex numbers (dtype {array.dtype}); expected real numbers")
    return array


def _open(path: Path) -> np.ndarray | np.lib.npyio.NpzFile:
    with open(path, "rb") as handle:  # the format's first bytes, before NumPy guesses
        magic = handle.read(len(NPY_MAGIC))
    if not magic:
        raise DataError(f"{path}: the file is empty; expected a NumPy .npy or .npz file")
    if not magic.startswith((NPY_MAGIC, ZIP_MAGIC)):
        hint = "; for a CSV table use the dataset type 'csv'" if path.suffix.lower() in TEXT_SUFFIXES else ""
        raise DataError(f"{path}: not a NumPy file (expected an .npy array or an .npz archive){hint}")
    try:
        check_array_file(path)
    except ArraySizeError as error:
        raise DataError(str(error)) from None
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as error:
        if not _needs_pickle(error):
            raise _damaged(path, error) from None
        raise DataError(
            f"{path}: holds pickled Python objects, which cannot be loaded without running code "
            "(allow_pickle=False); save numeric arrays with numpy.save or numpy.savez"
        ) from None
    except DAMAGED as error:
        raise _damaged(path, error) from None


def _needs_pickle(error: ValueError) -> bool:
    """NumPy's ValueError for an object array refused by allow_pickle=False (a cut .npy's data
    raises ValueError too, from the reshape)."""
    return "allow_pickle" in str(error)


def _damaged(path: Path, error: Exception) -> DataError:
    return DataError(f"{path}: not a readable NumPy file (truncated or corrupt: {error})")


def _check_finite(path: Path, x: np.ndarray) -> None:
    bad = ~np.isfinite(x)
    if bad.any():
        position = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataError(
            f"{path}: X sample {position[0]} holds NaN or inf at index {list(position[1:])}; "
            "NaN or infinite values cannot be trained on"
        )


class NumpyFile(DatasetSource):
    type_name = "numpy"
    category = "Imported"
    description = "NumPy arrays: an .npz holding X and y, or an .npy of samples and an .npy of targets."
    path_options = ("path", "y_path")
    schema = schema(
        ParamSpec("path", "str", "", "the .npz file, or the samples' .npy file", required=True),
        ParamSpec("y_path", "str", "", "the targets' .npy file (only with a samples .npy)"),
        ParamSpec("x_key", "str", "x", "name of the samples array in an .npz"),
        ParamSpec("y_key", "str", "y", "name of the targets array in an .npz"),
        TASK_OPTION,
    )

    def load(self) -> Dataset:
        return read_numpy_dataset(**self.config)
