"""Exporting a trained network: the one path of the CLI's ``export`` and the window's File > Export.

ONNX is written as the deployable graph by default: it takes raw inputs, as ``predict`` does, and
answers as ``predict`` does (``desktop_app.export.onnx_deploy``). ``raw`` asks for the network
alone. Where the deployable graph cannot be built (no preprocessing record beside the weights, a
network with several inputs or outputs, a loss whose predictions have no ONNX form) the raw graph
is written and a note says why. Other formats write the weights as they are.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engine.errors import GraphError
from ..engine.graph import Model
from ..engine.loss import Loss
from ..export import Deployment, Exporter, OnnxExporter, loss_activation
from ..fileio import WeightsFileError, load_weights
from ..registry import Registry
from .document import Project
from .predict import widens_to_two_columns
from .run import build_model, make_component
from .weights import Preprocessing, load_preprocessing_for, sidecar_path

RAW_GRAPH = ("exported the raw graph, which expects inputs scaled as in training and ends at the "
             "network's outputs")


@dataclass(frozen=True)
class TrainedModel:
    """A network with what it was trained for. ``preprocessing`` is None for weights without a
    record (exported from elsewhere); ``weights`` names where they came from, for notes."""

    model: Model
    loss: Loss
    preprocessing: Preprocessing | None
    project_name: str
    weights: Path | None = None


def load_trained(project: Project, weights_path: Path, registry: Registry) -> TrainedModel:
    """The project's network with the weights in ``weights_path``, its loss, and the preprocessing
    record beside the weights (None without one): what ``predict``, ``export`` and the window's
    File > Export start from. Weights that do not fit the network raise WeightsFileError naming the
    file; a corrupt record, or one for other samples, fails here too, before anything is written."""
    weights = load_weights(weights_path)
    model = build_model(project, registry)
    try:
        model.set_weights(weights)
    except GraphError as error:
        raise WeightsFileError(f"{weights_path}: {error}") from None
    loss = make_component(registry.losses, project.training.loss, project, "$.training.loss.config")
    return TrainedModel(model, loss, load_preprocessing_for(weights_path, model), project_title(project),
                        weights_path)


def project_title(project: Project) -> str:
    """How an export names its project: the project's name, else its file's."""
    return project.name or (project.path.name if project.path else "")


def export_trained(exporter_cls: type[Exporter], trained: TrainedModel, path: str | os.PathLike,
                   registry: Registry, *, raw: bool = False) -> str | None:
    """Write ``trained`` with ``exporter_cls``; returns a one-line note for the user, or None."""
    if not issubclass(exporter_cls, OnnxExporter):
        exporter_cls().export(trained.model, path, registry=registry)
        return None
    deployment, note = (None, _scaling_note(trained)) if raw else onnx_deployment(trained)
    exporter_cls().export(trained.model, path, registry=registry, deployment=deployment,
                          metadata=onnx_metadata(trained))
    return note


def onnx_deployment(trained: TrainedModel) -> tuple[Deployment | None, str | None]:
    """The deployable graph's ``Deployment``, or None and the note saying why the graph is raw."""
    model, preprocessing = trained.model, trained.preprocessing
    if preprocessing is None:
        where = f"beside {trained.weights}" if trained.weights else "with these weights"
        return None, f"no preprocessing record {where}: {RAW_GRAPH}"
    if (len(model.input_names), len(model.output_names)) != (1, 1):
        return None, (f"the network has {len(model.input_names)} inputs and {len(model.output_names)} "
                      f"outputs, and the deployable graph takes one of each: {RAW_GRAPH}")
    activation = loss_activation(trained.loss)
    if activation is None:
        return None, (f"the loss '{trained.loss.kind_name()}' makes its predictions in a way that has no "
                      f"ONNX form here: {RAW_GRAPH}")
    names = preprocessing.class_names
    probabilities = trained.loss.task != "regression" and bool(names)  # as predict decides
    two_columns = probabilities and widens_to_two_columns(model.output_shape, names)
    scaler = preprocessing.scaler
    return Deployment(scaler.offset, scaler.scale, activation, probabilities, two_columns), None


def onnx_metadata(trained: TrainedModel) -> dict[str, str]:
    """The project's name and the class names (a JSON list, empty for regression or when unknown)."""
    names = trained.preprocessing.class_names if trained.preprocessing else ()
    return {"project_name": trained.project_name, "class_names": json.dumps(list(names))}


def _scaling_note(trained: TrainedModel) -> str | None:
    """The raw graph asked for: where its inputs' scaling is, when it is not the identity."""
    if trained.preprocessing is None:
        return None
    scaler = trained.preprocessing.scaler
    if not (np.any(scaler.offset != 0) or np.any(scaler.scale != 1)):
        return None
    record = sidecar_path(trained.weights) if trained.weights else "the weights' .data.json record"
    return (f"the raw graph expects inputs scaled as in training, (x - offset) / scale; offset and "
            f"scale are in {record}")
