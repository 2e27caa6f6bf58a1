"""Edits of a project's training and dataset sections, as plain functions on its JSON data
(pushed as undo steps by ProjectDocument.edit, like the graph edits)."""

from __future__ import annotations

from typing import Any

from .graph_edits import jsonable


def choose_component(data: dict[str, Any], section: str, type_name: str) -> None:
    """Switch the loss / optimizer / schedule to ``type_name`` with its default parameters."""
    if (data["training"].get(section) or {}).get("type") != type_name:
        data["training"][section] = {"type": type_name, "config": {}}


def set_component_param(data: dict[str, Any], section: str, name: str, value: Any) -> None:
    data["training"][section].setdefault("config", {})[name] = jsonable(value)


def set_training_value(data: dict[str, Any], name: str, value: Any) -> None:
    data["training"][name] = jsonable(value)


def choose_dataset(data: dict[str, Any], type_name: str, options: dict[str, Any] | None = None) -> None:
    """Switch to another dataset source (its options start from their defaults unless given)."""
    data["dataset"]["type"] = type_name
    data["dataset"]["options"] = dict(options or {})


def set_dataset_option(data: dict[str, Any], name: str, value: Any) -> None:
    data["dataset"].setdefault("options", {})[name] = jsonable(value)


def set_preprocessing(data: dict[str, Any], name: str, value: Any) -> None:
    data["dataset"][name] = value
