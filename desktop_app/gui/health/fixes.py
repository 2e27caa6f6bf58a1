"""A hint's fix as one project edit: what the Apply button says, and the change it makes.

``plan(fix, data, registry)`` reads the project data (its JSON form) to word the fix with real
values ("Set the learning rate to 0.0002") and returns None when the project already has what
the fix would set. The change is a plain function on the data, pushed by ``ProjectDocument.edit``
as one undo step, like every graph and settings edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...engine.health import Fix
from ...registry import Registry
from .. import graph_edits, settings_edits
from ..training.learning_rate import learning_rate_spec

Data = dict[str, Any]
HE = {"kernel_initializer": "he_normal", "bias_initializer": "zeros"}
DEFAULT_INIT = {"kernel_initializer": "glorot_uniform", "bias_initializer": "zeros"}
EARLY_STOPPING = {"monitor": "val_loss", "patience": 5, "restore_best_weights": True}
WEIGHT_DECAY = 1e-4  # a mild L2 strength, the low end of the range usually tried (1e-4 to 1e-2)
DROPOUT_RATE = 0.5  # Srivastava et al. 2014: 0.5 for hidden units


@dataclass(frozen=True)
class FixPlan:
    """``label``: the Apply button's text and the undo step's name; ``change``: the edit itself."""

    label: str
    change: Callable[[Data], None]


def plan(fix: Fix, data: Data, registry: Registry) -> FixPlan | None:
    """How to apply ``fix`` to the project ``data``; None when there is nothing to change."""
    planner = PLANNERS[fix.action]
    return planner(fix, data, registry)


def _scale_learning_rate(fix: Fix, data: Data, registry: Registry) -> FixPlan | None:
    spec = learning_rate_spec(registry, data["training"])
    if spec is None or fix.value is None:
        return None
    rate = data["training"]["optimizer"].get("config", {}).get("learning_rate", spec.default)
    new = float(f"{rate * fix.value:.3g}")
    return FixPlan(f"Set the learning rate to {new:g}", _optimizer_param("learning_rate", new))


def _differing(nodes: tuple[str, ...], params: dict[str, Any], data: Data,
                registry: Registry) -> tuple[str, ...]:
    """The nodes among ``nodes`` whose type takes ``params`` (a BatchNorm has no initializers) and
    whose values differ from them."""
    def takes(item: dict[str, Any]) -> bool:
        layer = registry.layers.get(item["type"])
        return layer is not None and set(params) <= {spec.name for spec in layer.schema}

    items = [graph_edits.node(data, name) for name in nodes]
    return tuple(item["name"] for item in items if takes(item)
                 and any(item.get("config", {}).get(key) != value for key, value in params.items()))


def _initialization(params: dict[str, Any], what: str) -> Callable[[Fix, Data, Registry], FixPlan | None]:
    def planner(fix: Fix, data: Data, registry: Registry) -> FixPlan | None:
        nodes = _differing(fix.nodes, params, data, registry)
        if not nodes:
            return None

        def change(data: Data) -> None:
            for name in nodes:
                for key, value in params.items():
                    graph_edits.set_param(data, name, key, value)

        return FixPlan(f"Use {what} for {_names(nodes)}", change)
    return planner


def _insert_batchnorm(fix: Fix, data: Data, registry: Registry) -> FixPlan | None:
    def change(data: Data) -> None:
        for name in fix.nodes:
            graph_edits.add_node(data, "BatchNorm", {}, after=name)

    return FixPlan(f"Insert BatchNorm after {_names(fix.nodes)}", change) if fix.nodes else None


def _clip_gradients(fix: Fix, data: Data, registry: Registry) -> FixPlan | None:
    current = data["training"]["optimizer"].get("config", {}).get("clip_norm", 0.0)
    if fix.value is None or (current and current <= fix.value):
        return None
    return FixPlan(f"Clip gradients at a norm of {fix.value:g}", _optimizer_param("clip_norm", fix.value))


def _replace_with_relu(fix: Fix, data: Data, registry: Registry) -> FixPlan | None:
    nodes = tuple(name for name in fix.nodes if graph_edits.node(data, name)["type"] != "ReLU")
    if not nodes:
        return None

    def change(data: Data) -> None:
        for name in nodes:
            item = graph_edits.node(data, name)
            item["type"], item["config"] = "ReLU", {}

    return FixPlan(f"Replace {_names(nodes)} with ReLU", change)


def _regularize(fix: Fix, data: Data, registry: Registry) -> FixPlan | None:
    """Early stopping first (it keeps the best epoch), then L2, then dropout before the output."""
    training = data["training"]
    if training.get("early_stopping") is None and training.get("validation_split", 0) > 0:
        return FixPlan("Enable early stopping on the validation loss", _enable_early_stopping)
    optimizer = registry.optimizers.get(training["optimizer"]["type"])
    has_decay = optimizer is not None and any(spec.name == "weight_decay" for spec in optimizer.schema)
    if has_decay and not training["optimizer"].get("config", {}).get("weight_decay"):
        return FixPlan(f"Add L2 weight decay of {WEIGHT_DECAY:g}",
                       _optimizer_param("weight_decay", WEIGHT_DECAY))
    if not fix.nodes:
        return None
    output = graph_edits.node(data, fix.nodes[0])
    if len(output.get("inputs", [])) != 1 or graph_edits.node(data, output["inputs"][0])["type"] == "Dropout":
        return None
    source = output["inputs"][0]

    def change(data: Data) -> None:
        graph_edits.add_node(data, "Dropout", {"rate": DROPOUT_RATE}, after=source)

    return FixPlan(f"Add dropout ({DROPOUT_RATE:g}) before '{output['name']}'", change)


def _enable_early_stopping(data: Data) -> None:
    settings_edits.set_training_value(data, "early_stopping", dict(EARLY_STOPPING))


def _optimizer_param(name: str, value: float) -> Callable[[Data], None]:
    return lambda data: settings_edits.set_component_param(data, "optimizer", name, value)


def _names(nodes: tuple[str, ...]) -> str:
    return ", ".join(f"'{name}'" for name in nodes)


PLANNERS: dict[str, Callable[[Fix, Data, Registry], FixPlan | None]] = {
    "scale_learning_rate": _scale_learning_rate,
    "he_init": _initialization(HE, "He initialization"),
    "output_init": _initialization(DEFAULT_INIT, "the default initialization (Glorot, zero bias)"),
    "insert_batchnorm": _insert_batchnorm,
    "clip_gradients": _clip_gradients,
    "replace_with_relu": _replace_with_relu,
    "regularize": _regularize,
}
