"""A project's settings under flat dotted names: what run tables show, diffs compare and sweeps set.

``training.optimizer`` is the optimizer's type and ``training.optimizer.learning_rate`` one of its
parameters (the file nests it under ``config``); ``training.batch_size`` a training setting;
``model.hidden_1.units`` a node's parameter; ``dataset.noise`` a dataset option. The names read
like the project file without its ``config``/``options`` levels, so a user can guess them.
"""

from __future__ import annotations

import json
from typing import Any

COMPONENTS = ("loss", "optimizer", "schedule")
DATASET_FIELDS = ("type", "scaling", "one_hot")


class SettingKeyError(ValueError):
    """A dotted name that names no setting of the project; the message lists close ones."""


def flat_settings(data: dict[str, Any]) -> dict[str, Any]:
    """Every setting of a project's JSON data (``Project.to_json``) by its dotted name."""
    flat: dict[str, Any] = {}
    training = data["training"]
    for key, value in training.items():
        if key in COMPONENTS:
            flat[f"training.{key}"] = value["type"]
            flat.update({f"training.{key}.{name}": param for name, param in value["config"].items()})
        elif key == "early_stopping" and value is not None:
            flat.update({f"training.early_stopping.{name}": item for name, item in value.items()})
        else:
            flat[f"training.{key}"] = _plain(value)
    dataset = data["dataset"]
    flat.update({f"dataset.{key}": dataset[key] for key in DATASET_FIELDS})
    flat.update({f"dataset.{key}": _plain(value) for key, value in dataset["options"].items()})
    for node in data["model"]["nodes"]:
        flat[f"model.{node['name']}.type"] = node["type"]
        flat.update({f"model.{node['name']}.{name}": _plain(value) for name, value in node["config"].items()})
        flat[f"model.{node['name']}.inputs"] = ",".join(node["inputs"])
    return flat


def differing(settings: list[dict[str, Any]]) -> list[str]:
    """The names whose value is not the same in every one of ``settings`` (missing counts as a value)."""
    names = dict.fromkeys(name for one in settings for name in one)
    return [name for name in names if len({json.dumps(one.get(name)) for one in settings}) > 1]


def apply_setting(data: dict[str, Any], name: str, value: Any) -> None:
    """Set the setting ``name`` of a project's JSON data to ``value`` (in place)."""
    section, _, rest = name.partition(".")
    if section == "training" and rest:
        component, _, param = rest.partition(".")
        if component in COMPONENTS:
            target = data["training"][component]
            if param:
                target["config"][param] = value
            else:
                target.update(type=value, config={})
            return
        if "." not in rest and rest in data["training"]:
            data["training"][rest] = value
            return
    if section == "dataset" and rest and "." not in rest:
        target = data["dataset"] if rest in DATASET_FIELDS else data["dataset"]["options"]
        if rest in target:
            target[rest] = value
            return
    if section == "model":
        node_name, _, param = rest.partition(".")
        nodes = {node["name"]: node for node in data["model"]["nodes"]}
        if node_name in nodes and param and param not in ("type", "inputs"):
            nodes[node_name]["config"][param] = value
            return
    known = ", ".join(name for name in flat_settings(data) if not name.endswith((".type", ".inputs")))
    raise SettingKeyError(f"'{name}' is not a setting of the project. Expected one of: {known}")


def format_value(value: Any) -> str:
    """A setting's or a figure's value as a table shows it (``-`` for none)."""
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _plain(value: Any) -> Any:
    """Lists (an Input's shape, the metrics) as one readable cell."""
    return ",".join(map(str, value)) if isinstance(value, list) else value
