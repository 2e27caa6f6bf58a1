"""Read any format_version we know: older files are migrated step by step to the current one.

``MIGRATIONS[n]`` turns a version-n dict into a version-(n+1) dict; ``migrate`` chains them. A
file newer than ``FORMAT_VERSION`` is refused with a message, never guessed at.

Version 0 (the pre-release layout) held a plain stack: ``input_shape`` and a ``layers`` list with
each layer's parameters inline (``{"type": "Dense", "units": 16}``), and flat training keys
(``dataset``, ``dataset_options``, ``loss``, ``optimizer``, ``learning_rate``, ``batch_size``,
``epochs``, ``seed``, ``validation_split``, ``weights``). Its layers were named as
``engine.graph.stack`` names them (``input``, ``dense_1``, ...), which version 1 keeps, so weight
files stay valid.

Version 1 called each node's and each training component's settings ``params``; version 2 calls
them ``config``, as the engine's ``get_config`` does, so that ``params`` means one thing in the
app: a layer's weights.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ..engine.graph import stack
from .document import FORMAT_VERSION
from .errors import ProjectError
from .validation import check_schema

# The training settings that name a component with its settings (version 1 ``params``).
COMPONENTS = ("loss", "optimizer", "schedule")
# Canvas spacing of migrated nodes, which had no positions: left to right.
MIGRATED_NODE_SPACING = 200

V0_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["format_version", "input_shape", "layers", "dataset", "loss", "optimizer"],
    "additionalProperties": False,
    "properties": {
        "format_version": {"const": 0},
        "name": {"type": "string"},
        "input_shape": {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 1}},
        "layers": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}},
        },
        "dataset": {"type": "string", "minLength": 1},
        "dataset_options": {"type": "object"},
        "loss": {"type": "string", "minLength": 1},
        "optimizer": {"type": "string", "minLength": 1},
        "learning_rate": {"type": "number", "exclusiveMinimum": 0},
        "batch_size": {"type": "integer", "minimum": 1},
        "epochs": {"type": "integer", "minimum": 1},
        "seed": {"type": "integer", "minimum": 0},
        "validation_split": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
        "weights": {"type": ["string", "null"]},
    },
}


def _v0_to_v1(data: dict[str, Any], source: str) -> dict[str, Any]:
    check_schema(data, V0_SCHEMA, f"{source} (format_version 0)")
    layers = [
        (layer["type"], {key: value for key, value in layer.items() if key != "type"})
        for layer in data["layers"]
    ]
    nodes = []
    for index, spec in enumerate(stack(data["input_shape"], *layers)):
        nodes.append({
            "name": spec.name,
            "type": spec.type,
            "params": spec.config,
            "inputs": spec.inputs,
            "position": {"x": index * MIGRATED_NODE_SPACING, "y": 0},
        })
    optimizer_params = {"learning_rate": data["learning_rate"]} if "learning_rate" in data else {}
    training: dict[str, Any] = {
        "loss": {"type": data["loss"], "params": {}},
        "optimizer": {"type": data["optimizer"], "params": optimizer_params},
    }
    for key in ("batch_size", "epochs", "seed", "validation_split"):
        if key in data:
            training[key] = data[key]
    migrated: dict[str, Any] = {"format_version": 1}
    if "name" in data:
        migrated["name"] = data["name"]
    migrated["model"] = {"nodes": nodes}
    migrated["dataset"] = {"type": data["dataset"], "options": dict(data.get("dataset_options", {}))}
    migrated["training"] = training
    migrated["weights"] = data.get("weights")
    return migrated


def _v1_to_v2(data: dict[str, Any], _source: str) -> dict[str, Any]:
    """``params`` -> ``config`` in every node and training component; the rest is checked as a
    version-2 file once migrated."""
    model = data.get("model")
    nodes = model.get("nodes") if isinstance(model, dict) else None
    training = data.get("training")
    components = [training.get(key) for key in COMPONENTS] if isinstance(training, dict) else []
    for entry in [*(nodes if isinstance(nodes, list) else []), *components]:
        if isinstance(entry, dict) and "params" in entry and "config" not in entry:
            entry["config"] = entry.pop("params")
    data["format_version"] = 2
    return data


MIGRATIONS: dict[int, Callable[[dict[str, Any], str], dict[str, Any]]] = {0: _v0_to_v1, 1: _v1_to_v2}


def file_version(data: Any, source: str) -> int:
    """The file's format_version, checked to be a whole number we can read."""
    if not isinstance(data, dict):
        raise ProjectError(f"a project file holds a JSON object. Received: {type(data).__name__}",
                           source, "$")
    if "format_version" not in data:
        raise ProjectError("missing 'format_version'; is this a Backprop Studio project?", source, "$")
    version = data["format_version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ProjectError(f"format_version must be a whole number >= 0. Received: {version!r}",
                           source, "$.format_version")
    if version > FORMAT_VERSION:
        raise ProjectError(
            f"format_version {version} is newer than this Backprop Studio reads (up to "
            f"{FORMAT_VERSION}); update Backprop Studio to open it",
            source, "$.format_version",
        )
    return version


def migrate(data: Any, source: str) -> dict[str, Any]:
    """A copy of ``data`` in the current format (``data`` itself is not modified)."""
    version = file_version(data, source)
    current = copy.deepcopy(data)
    while version < FORMAT_VERSION:
        current = MIGRATIONS[version](current, source)
        version += 1
    return current
