"""Edits of a project's model graph, as plain functions on the project's JSON data.

The window applies one of these to a copy of the project data and pushes the before/after pair
as an undo command, so each function only has to do its edit, never its inverse. Nodes are the
project format's dicts: ``{"name", "type", "config", "inputs", "position": {"x", "y"}}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .canvas import style
from .canvas.layout import layered_positions

ROW = style.NODE_HEIGHT + style.LAYER_SPACING
_NAME_TAKEN = "a node named '{}' already exists; names must be unique"


class EditError(ValueError):
    """An edit the graph cannot take (a bad or duplicate name, a connection to an Input)."""


def nodes(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    return data["model"]["nodes"]


def node(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    for item in nodes(data):
        if item["name"] == name:
            return item
    raise EditError(f"no node named '{name}'")


def unique_name(data: Mapping[str, Any], type_name: str) -> str:
    """``input`` for the first Input, else ``<type>_<n>`` with the smallest free n (``dense_1``)."""
    taken = {item["name"] for item in nodes(data)}
    stem = re.sub(r"[^0-9a-z]+", "_", type_name.lower()).strip("_") or "node"
    if type_name == "Input" and "input" not in taken:
        return "input"
    index = 1
    while f"{stem}_{index}" in taken:
        index += 1
    return f"{stem}_{index}"


def position(item: Mapping[str, Any]) -> tuple[float, float]:
    spot = item.get("position") or {}
    return float(spot.get("x", 0.0)), float(spot.get("y", 0.0))


def without_positions(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with no node positions: what a training run depends on (where cards sit does not)."""
    nodes = [{key: value for key, value in item.items() if key != "position"}
             for item in data["model"]["nodes"]]
    return {**data, "model": {**data["model"], "nodes": nodes}}


def _set_position(item: dict[str, Any], x: float, y: float) -> None:
    item["position"] = {"x": round(float(x), 1), "y": round(float(y), 1)}


def add_node(
    data: dict[str, Any],
    type_name: str,
    config: Mapping[str, Any],
    at: tuple[float, float] | None = None,
    after: str | None = None,
) -> str:
    """Add a node and return its name.

    With ``after``, the node is inserted below that node: it reads from it, takes over its
    consumers, and the nodes downstream move one row down. Without ``at`` it goes below the
    lowest node.
    """
    name = unique_name(data, type_name)
    new = {"name": name, "type": type_name, "config": dict(config), "inputs": []}
    if after is not None:
        anchor = node(data, after)
        downstream = _downstream(data, after)
        for item in nodes(data):
            item["inputs"] = [name if source == after else source for source in item.get("inputs", [])]
            if item["name"] in downstream:
                x, y = position(item)
                _set_position(item, x, y + ROW)
        new["inputs"] = [after]
        x, y = position(anchor)
        at = at or (x, y + ROW)
    elif at is None:
        lowest = max(nodes(data), key=lambda item: position(item)[1], default=None)
        at = (position(lowest)[0], position(lowest)[1] + ROW) if lowest else (-style.NODE_WIDTH / 2, 0.0)
    _set_position(new, *at)
    nodes(data).append(new)
    return name


def _downstream(data: Mapping[str, Any], name: str) -> set[str]:
    """Every node that reads, directly or not, from ``name``."""
    found: set[str] = set()
    frontier = {name}
    while frontier:
        frontier = {
            item["name"] for item in nodes(data)
            if item["name"] not in found and frontier & set(item.get("inputs", []))
        }
        found |= frontier
    return found


def remove_nodes(data: dict[str, Any], names: Iterable[str]) -> None:
    """Delete nodes and every connection to them."""
    gone = set(names)
    data["model"]["nodes"] = [item for item in nodes(data) if item["name"] not in gone]
    for item in nodes(data):
        item["inputs"] = [source for source in item.get("inputs", []) if source not in gone]
    _drop_outputs(data, gone)


def _drop_outputs(data: dict[str, Any], gone: set[str]) -> None:
    outputs = data["model"].get("outputs")
    if outputs is not None:
        kept = [name for name in outputs if name not in gone]
        if kept:
            data["model"]["outputs"] = kept
        else:
            del data["model"]["outputs"]


def duplicate_nodes(data: dict[str, Any], names: Sequence[str]) -> list[str]:
    """Copy nodes beside the originals; links among the copies follow, outside inputs are kept."""
    renamed: dict[str, str] = {}
    for name in names:
        original = node(data, name)
        copy_name = unique_name(data, original["type"])
        renamed[name] = copy_name
        x, y = position(original)
        nodes(data).append({
            "name": copy_name,
            "type": original["type"],
            "config": dict(original.get("config", {})),
            "inputs": list(original.get("inputs", [])),
            "position": {"x": x + style.NODE_WIDTH + style.COLUMN_SPACING, "y": y},
        })
    for copy_name in renamed.values():
        item = node(data, copy_name)
        item["inputs"] = [renamed.get(source, source) for source in item["inputs"]]
    return list(renamed.values())


def connect(data: dict[str, Any], source: str, target: str, max_inputs: int | None) -> None:
    """Make ``source`` an input of ``target``; a full target drops its oldest input."""
    if source == target:
        raise EditError(f"node '{source}' cannot take its own output as input")
    item = node(data, target)
    node(data, source)
    if max_inputs == 0:
        raise EditError(f"node '{target}' ({item['type']}) takes no inputs")
    inputs = item.setdefault("inputs", [])
    if source in inputs:
        return
    if max_inputs is not None and len(inputs) >= max_inputs:
        del inputs[: len(inputs) - max_inputs + 1]
    inputs.append(source)


def disconnect(data: dict[str, Any], source: str, target: str) -> None:
    item = node(data, target)
    item["inputs"] = [name for name in item.get("inputs", []) if name != source]


def rename_node(data: dict[str, Any], old: str, new: str) -> None:
    """Rename a node and every reference to it; names are non-empty, unique and free of '/'."""
    new = new.strip()
    if not new or "/" in new:
        raise EditError(f"a node name must be non-empty and hold no '/'. Received: {new!r}")
    if new == old:
        return
    if any(item["name"] == new for item in nodes(data)):
        raise EditError(_NAME_TAKEN.format(new))
    node(data, old)["name"] = new
    for item in nodes(data):
        item["inputs"] = [new if source == old else source for source in item.get("inputs", [])]
    outputs = data["model"].get("outputs")
    if outputs is not None:
        data["model"]["outputs"] = [new if name == old else name for name in outputs]


def set_param(data: dict[str, Any], name: str, param: str, value: Any) -> None:
    node(data, name).setdefault("config", {})[param] = jsonable(value)


def move_nodes(data: dict[str, Any], moved: Mapping[str, tuple[float, float]]) -> None:
    for name, (x, y) in moved.items():
        _set_position(node(data, name), x, y)


def auto_layout(data: dict[str, Any]) -> None:
    """Place every node by depth, top to bottom (see canvas.layout)."""
    spots = layered_positions({item["name"]: item.get("inputs", []) for item in nodes(data)})
    move_nodes(data, spots)


def set_input_shape(data: dict[str, Any], shape: Sequence[int]) -> list[str]:
    """Give every Input node ``shape``; returns the names of the nodes that changed."""
    changed = []
    for item in nodes(data):
        if item["type"] == "Input" and list(item.get("config", {}).get("shape", [])) != list(shape):
            set_param(data, item["name"], "shape", list(shape))
            changed.append(item["name"])
    return changed


def jsonable(value: Any) -> Any:
    """Tuples (int_tuple values) as JSON lists."""
    return list(value) if isinstance(value, tuple) else value


def overlapping(data: Mapping[str, Any]) -> bool:
    """True when two node cards would cover each other (files written by other tools or by hand)."""
    spots = [position(item) for item in nodes(data)]
    return any(
        abs(a[0] - b[0]) < style.NODE_WIDTH and abs(a[1] - b[1]) < style.NODE_HEIGHT
        for index, a in enumerate(spots) for b in spots[index + 1:]
    )
