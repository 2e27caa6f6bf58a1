"""The trained weights a project file records: do they fit its network as it is now?

Weights fit when the fingerprint saved beside them (``weights.graph_fingerprint``) is the network's;
weights saved without one (older files) fit when their arrays are exactly the network's, by name
and shape. Weights that do not fit are stale: they are named as such and never loaded into a
different network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from ..engine.errors import EngineError
from ..fileio import WeightsFileError, load_weights
from ..registry import Registry
from .document import Project
from .errors import ProjectError
from .run import build_model
from .weights import graph_fingerprint, recorded_fingerprint

Fit = Literal["none", "fits", "stale", "missing", "unreadable"]


@dataclass(frozen=True)
class RecordedWeights:
    """The recorded weights file, how it fits, and its arrays when it fits (else a reason)."""

    path: Path | None
    fit: Fit
    arrays: dict[str, np.ndarray] | None = None
    reason: str = ""


def check_recorded_weights(project: Project, registry: Registry) -> RecordedWeights:
    """How the weights ``project`` records fit its network (never raises for a bad file)."""
    path = project.weights_path()
    if path is None:
        return RecordedWeights(None, "none")
    if not path.is_file():
        return RecordedWeights(path, "missing", reason=f"{path}: weights file not found")
    try:
        model = build_model(project, registry)
    except (ProjectError, EngineError) as error:
        return RecordedWeights(path, "stale", reason=f"the network is not valid ({error})")
    try:
        arrays = load_weights(path)
        recorded = recorded_fingerprint(path)
    except (WeightsFileError, ProjectError, OSError) as error:
        return RecordedWeights(path, "unreadable", reason=str(error))
    if recorded is not None:
        fits = recorded == graph_fingerprint(project, model)
    else:
        expected = {key: array.shape for key, array in model.get_weights().items()}
        fits = expected == {key: array.shape for key, array in arrays.items()}
    if not fits:
        return RecordedWeights(path, "stale", reason=f"{path.name} was trained for another network")
    try:
        model.set_weights(arrays)
    except EngineError as error:
        return RecordedWeights(path, "unreadable", reason=f"{path}: {error}")
    return RecordedWeights(path, "fits", arrays)
