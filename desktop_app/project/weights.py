"""Trained weights and what their inputs and outputs mean, saved side by side.

``<name>.npz`` holds the model's arrays keyed ``node/param`` (``desktop_app.fileio``). Beside it,
``<name>.data.json`` records the preprocessing the weights were trained with: the input scaler
(offset and scale per feature, fitted on the training split), the sample shape and the class
names, so predictions on new data are scaled and labelled exactly as in training, and the
fingerprint of the network they were trained for (``graph_fingerprint``), so weights of another
network are recognised as stale. Both are plain data: reading them never runs code.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..data.preprocess import Scaler
from ..engine.graph import Model
from ..file_set import replace_files
from ..fileio import weights_npz_bytes
from .document import Project
from .errors import ProjectError

SIDECAR_VERSION = 1


@dataclass(frozen=True)
class Preprocessing:
    """What trained weights expect of their inputs and how their outputs are named."""

    scaler: Scaler
    class_names: tuple[str, ...]
    dataset: str

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """The shape of one input sample the scaler was fitted on."""
        return tuple(int(d) for d in self.scaler.offset.shape)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": SIDECAR_VERSION,
            "dataset": self.dataset,
            "class_names": list(self.class_names),
            "sample_shape": list(self.sample_shape),
            "offset": self.scaler.offset.tolist(),
            "scale": self.scaler.scale.tolist(),
        }

    @classmethod
    def from_json(cls, data: Any, source: str) -> Preprocessing:
        if not isinstance(data, dict) or data.get("format_version") != SIDECAR_VERSION:
            raise ProjectError(f"expected a preprocessing record with format_version {SIDECAR_VERSION}",
                               source)
        try:
            shape = tuple(int(d) for d in data["sample_shape"])
            arrays = {key: np.asarray(data[key], dtype=np.float64).reshape(shape)
                      for key in ("offset", "scale")}
            names = tuple(str(name) for name in data["class_names"])
            dataset = str(data["dataset"])
        except (KeyError, TypeError, ValueError) as error:
            raise ProjectError(f"malformed preprocessing record ({type(error).__name__}: {error})",
                               source) from None
        return cls(Scaler.from_arrays(arrays, source), names, dataset)


def sidecar_path(weights_path: str | os.PathLike) -> Path:
    """``run/weights.npz`` -> ``run/weights.data.json``."""
    path = Path(weights_path)
    return path.with_name(path.name.removesuffix(".npz") + ".data.json")


def graph_fingerprint(project: Project, model: Model) -> str:
    """What trained weights fit: every node's type, parameters and inputs (not where it sits on the
    canvas), the outputs, the dtype and the shape of every array of ``model`` (built from it)."""
    graph = {
        "nodes": [[node.name, node.type, node.config, node.inputs] for node in project.nodes],
        "outputs": project.outputs,
        "dtype": project.dtype,
        "shapes": {key: list(array.shape) for key, array in model.get_weights().items()},
    }
    text = json.dumps(graph, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def save_trained(weights_path: str | os.PathLike, model: Model, preprocessing: Preprocessing,
                 fingerprint: str | None = None) -> None:
    """Write the model's weights and their preprocessing record (with the network's
    ``fingerprint`` when given) as one set (``desktop_app.file_set``): an interrupted save leaves
    the previous pair, never new weights beside an old record."""
    path = Path(weights_path)
    replace_files(path.parent, {
        path.name: weights_npz_bytes(model.get_weights()),
        sidecar_path(path).name: sidecar_text(preprocessing, fingerprint).encode("utf-8"),
    })


def sidecar_text(preprocessing: Preprocessing, fingerprint: str | None = None) -> str:
    """The ``<name>.data.json`` file's text: the record, with the network's ``fingerprint`` when given."""
    record = preprocessing.to_json()
    if fingerprint is not None:
        record["graph"] = fingerprint
    return json.dumps(record, indent=1, allow_nan=False) + "\n"


def load_preprocessing_for(weights_path: str | os.PathLike, model: Model) -> Preprocessing | None:
    """``load_preprocessing``, refused when its samples do not fit ``model``: such a record belongs
    to other weights, and scaling with it would answer wrongly."""
    preprocessing = load_preprocessing(weights_path)
    if preprocessing is not None and preprocessing.sample_shape != model.input_shape:
        raise ProjectError(
            f"the preprocessing record is for samples of shape {preprocessing.sample_shape}, but the "
            f"model takes {model.input_shape}; it belongs to other weights than {weights_path}",
            str(sidecar_path(weights_path)),
        )
    return preprocessing


def load_preprocessing(weights_path: str | os.PathLike) -> Preprocessing | None:
    """The preprocessing saved with these weights, or None when there is no record beside them."""
    data = _sidecar(weights_path)
    return None if data is None else Preprocessing.from_json(data, str(sidecar_path(weights_path)))


def recorded_fingerprint(weights_path: str | os.PathLike) -> str | None:
    """The network fingerprint saved with these weights (None: no record, or one written without)."""
    data = _sidecar(weights_path)
    value = data.get("graph") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _sidecar(weights_path: str | os.PathLike) -> Any:
    path = sidecar_path(weights_path)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ProjectError(f"not valid JSON ({error})", str(path)) from None
