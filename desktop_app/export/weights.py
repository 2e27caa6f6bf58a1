"""Weight-file exports (.npz and safetensors) and the loader that brings either back into a model.

Both store the flat ``node/param`` dict of ``Model.get_weights()``: trainable parameters and
BatchNorm's running statistics under the same keys the project's weight files use. Loading
never runs code: .npz without pickle, safetensors by its own pickle-free format.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import safetensors
import safetensors.numpy

from .. import __version__
from ..engine.graph import Model
from ..fileio import atomic_write, load_weights_npz, save_weights_npz
from ..registry import Registry
from .base import Exporter

SAFETENSORS_FORMAT = "backprop-studio-weights"
SAFETENSORS_FORMAT_VERSION = 1


class NpzExporter(Exporter):
    type_name = "npz"
    description = "NumPy .npz archive of the weights, keyed node/param (what projects store)."
    suffix = ".npz"

    def export(self, model: Model, path: str | os.PathLike, *, registry: Registry) -> None:
        save_weights_npz(path, model.get_weights())


class SafetensorsExporter(Exporter):
    type_name = "safetensors"
    description = "safetensors file of the weights, keyed node/param, with format metadata."
    suffix = ".safetensors"

    def export(self, model: Model, path: str | os.PathLike, *, registry: Registry) -> None:
        data = safetensors.numpy.save(model.get_weights(), metadata=safetensors_metadata(model))
        atomic_write(path, lambda handle: handle.write(data))


def safetensors_metadata(model: Model) -> dict[str, str]:
    """What the file says about itself (safetensors metadata values are strings)."""
    return {
        "format": SAFETENSORS_FORMAT,
        "format_version": str(SAFETENSORS_FORMAT_VERSION),
        "producer": f"backprop-studio {__version__}",
        "dtype": model.dtype.name,
        "layers": json.dumps({name: model.specs[name].type for name in model.order}),
    }


def load_safetensors_weights(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The ``node/param`` arrays of a safetensors file; a bad file raises ValueError naming it."""
    source = Path(path)
    try:
        with safetensors.safe_open(source, framework="np") as handle:
            metadata = handle.metadata() or {}
            # safe_open handles are not iterable: .keys() is needed.
            weights = {key: np.array(handle.get_tensor(key)) for key in handle.keys()}  # noqa: SIM118
    except (OSError, safetensors.SafetensorError, TypeError, ValueError) as error:
        raise ValueError(f"{source}: not a readable safetensors weights file ({error})") from None
    version = metadata.get("format_version", "1") if metadata.get("format") == SAFETENSORS_FORMAT else "1"
    if not version.isdigit() or int(version) > SAFETENSORS_FORMAT_VERSION:
        raise ValueError(
            f"{source}: weights format_version {version!r} is newer than this app reads "
            f"(up to {SAFETENSORS_FORMAT_VERSION}); update Backprop Studio"
        )
    for key, array in weights.items():
        if not np.issubdtype(array.dtype, np.number):
            raise ValueError(f"{source}: array '{key}' has dtype {array.dtype}; expected numbers")
    return weights


def load_weights(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a weights file by its suffix: ``.safetensors``, else ``.npz``; keys ``node/param``."""
    source = Path(path)
    if not source.is_file():
        raise ValueError(f"{source}: weights file not found")
    if source.suffix.lower() == ".safetensors":
        return load_safetensors_weights(source)
    return load_weights_npz(source)
