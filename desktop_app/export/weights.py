"""Weight-file exports (.npz and safetensors); ``desktop_app.fileio.load_weights`` reads either back.

Both store the flat ``node/param`` dict of ``Model.get_weights()``: trainable parameters and
BatchNorm's running statistics under the same keys the project's weight files use.
"""

from __future__ import annotations

import json
import os

import safetensors.numpy

from .. import __version__
from ..engine.graph import Model
from ..fileio import SAFETENSORS_FORMAT, SAFETENSORS_FORMAT_VERSION, atomic_write, save_weights_npz
from ..registry import Registry
from .base import Exporter


class NpzExporter(Exporter):
    type_name = "npz"
    description = "NumPy .npz archive of the weights, keyed node/param (what projects store)."
    suffix = ".npz"
    label = "NumPy weights archive"

    def export(self, model: Model, path: str | os.PathLike, *, registry: Registry) -> None:
        save_weights_npz(path, model.get_weights())


class SafetensorsExporter(Exporter):
    type_name = "safetensors"
    description = "safetensors file of the weights, keyed node/param, with format metadata."
    suffix = ".safetensors"
    label = "safetensors weights"

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
