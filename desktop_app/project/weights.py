"""Trained weights and what their inputs and outputs mean, saved side by side.

``<name>.npz`` holds the model's arrays keyed ``node/param`` (``desktop_app.fileio``). Beside it,
``<name>.data.json`` records the preprocessing the weights were trained with: the input scaler
(offset and scale per feature, fitted on the training split), the sample shape and the class
names, so predictions on new data are scaled and labelled exactly as in training. Both are plain
data: reading them never runs code.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..data.preprocess import Scaler
from ..engine.graph import Model
from ..fileio import atomic_write_text, save_weights_npz
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


def save_trained(weights_path: str | os.PathLike, model: Model, preprocessing: Preprocessing) -> None:
    """Write the model's weights and their preprocessing record, each atomically."""
    save_weights_npz(weights_path, model.get_weights())
    atomic_write_text(sidecar_path(weights_path), sidecar_text(preprocessing))


def sidecar_text(preprocessing: Preprocessing) -> str:
    """The ``<name>.data.json`` file's text."""
    return json.dumps(preprocessing.to_json(), indent=1, allow_nan=False) + "\n"


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
    path = sidecar_path(weights_path)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ProjectError(f"not valid JSON ({error})", str(path)) from None
    return Preprocessing.from_json(data, str(path))
