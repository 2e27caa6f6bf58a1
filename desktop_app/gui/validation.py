"""Live validation: build the engine Model from the canvas's nodes and report what is wrong where.

The engine stops at the first error, which names its node. To show every independent problem
(and the shapes of everything that is fine) the failing node and whatever depends on it are set
aside and the rest is built again, until the remainder builds or nothing is left. All shape
logic stays in the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine.errors import EngineError, GraphError, LayerError
from ..engine.graph import Model, NodeSpec
from ..engine.layer import Layer, Shape


@dataclass
class Validation:
    """Shapes and summary rows of the nodes that build, errors of those that do not."""

    shapes: dict[str, Shape] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general_error: str = ""
    summary: list[dict[str, Any]] = field(default_factory=list)
    # the output nodes of the network, once all of it builds
    outputs: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors and not self.general_error and bool(self.summary)

    def messages(self) -> list[str]:
        """Every problem, one line each (the log panel and the status bar show these)."""
        return ([self.general_error] if self.general_error else []) + list(self.errors.values())


def validate(nodes: Sequence[NodeSpec], layer_types: Mapping[str, type[Layer]]) -> Validation:
    """Build ``nodes`` with the engine, setting aside failing nodes to find every error."""
    result = Validation()
    remaining = list(nodes)
    while True:
        try:
            model = Model(remaining, layer_types)
        except (GraphError, LayerError) as error:
            node = getattr(error, "node", None)
            if node is None or node not in {spec.name for spec in remaining}:
                if not result.errors:
                    result.general_error = str(error)
                return result
            result.errors[node] = str(error)
            remaining = _without_downstream(remaining, node)
            continue
        except EngineError as error:
            result.general_error = str(error)
            return result
        result.shapes = dict(model.shapes)
        if len(remaining) == len(nodes):
            result.outputs = tuple(model.output_names)
        result.summary = model.summary()
        return result


def _without_downstream(nodes: list[NodeSpec], failed: str) -> list[NodeSpec]:
    """``nodes`` minus ``failed`` and every node that (transitively) reads from it."""
    dropped = {failed}
    changed = True
    while changed:
        changed = False
        for spec in nodes:
            if spec.name not in dropped and any(source in dropped for source in spec.inputs):
                dropped.add(spec.name)
                changed = True
    return [spec for spec in nodes if spec.name not in dropped]
