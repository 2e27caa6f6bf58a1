"""Project files: the network, its data and its training settings in one JSON file, and the one
function that turns a project into a ready training run (used by the CLI and the GUI alike)."""

from __future__ import annotations

from .document import FORMAT_VERSION, ComponentRef, DatasetRef, NodeEntry, Position, Project, TrainingSettings
from .errors import ProjectError
from .examples import DEFAULT_EXAMPLE, EXAMPLES, default_example_path, example_path
from .files import PROJECT_SUFFIX, dumps_project, load_project, parse_project, save_project
from .requirements import missing_types, record_plugins, require_types
from .run import Run, RunOverrides, build_model, build_run, load_dataset
from .weights import Preprocessing, load_preprocessing, load_preprocessing_for, save_trained, sidecar_path

__all__ = [
    "DEFAULT_EXAMPLE",
    "EXAMPLES",
    "FORMAT_VERSION",
    "PROJECT_SUFFIX",
    "ComponentRef",
    "DatasetRef",
    "NodeEntry",
    "Position",
    "Preprocessing",
    "Project",
    "ProjectError",
    "Run",
    "RunOverrides",
    "TrainingSettings",
    "build_model",
    "build_run",
    "default_example_path",
    "dumps_project",
    "example_path",
    "load_dataset",
    "load_preprocessing",
    "load_preprocessing_for",
    "load_project",
    "missing_types",
    "parse_project",
    "record_plugins",
    "require_types",
    "save_project",
    "save_trained",
    "sidecar_path",
]
