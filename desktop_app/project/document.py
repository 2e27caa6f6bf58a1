"""A project in memory: the network, its data and its training settings, as plain dataclasses.

``Project.to_json`` writes keys in one fixed order (parameters sorted by name) so a saved file
diffs well; ``Project.from_json`` reads a dict that already passed the JSON Schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.early_stopping import EarlyStopping
from ..engine.graph import NodeSpec

FORMAT_VERSION = 2


@dataclass
class Position:
    """Where a node sits on the canvas (scene coordinates)."""

    x: float = 0.0
    y: float = 0.0


@dataclass
class NodeEntry:
    """One node of the model graph: a unique name, a layer type, its parameters, its inputs."""

    name: str
    type: str
    config: dict[str, Any] = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)
    position: Position = field(default_factory=Position)

    def spec(self) -> NodeSpec:
        return NodeSpec(self.name, self.type, dict(self.config), list(self.inputs))


@dataclass
class ComponentRef:
    """A loss, optimizer or schedule by registered type name, with its parameters."""

    type: str
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class DatasetRef:
    """A dataset by registered type name, its options, and how samples are preprocessed."""

    type: str
    options: dict[str, Any] = field(default_factory=dict)
    scaling: str = "none"
    one_hot: bool = False


@dataclass
class TrainingSettings:
    loss: ComponentRef
    optimizer: ComponentRef
    schedule: ComponentRef = field(default_factory=lambda: ComponentRef("constant"))
    batch_size: int = 32
    epochs: int = 10
    seed: int = 0
    shuffle: bool = True
    validation_split: float = 0.2
    early_stopping: EarlyStopping | None = None
    metrics: list[str] = field(default_factory=list)


@dataclass
class Project:
    """Everything a run needs except the trained weights, which live in the ``weights`` file."""

    nodes: list[NodeEntry]
    dataset: DatasetRef
    training: TrainingSettings
    name: str = ""
    description: str = ""
    dtype: str = "float32"
    outputs: list[str] = field(default_factory=list)
    # The weights .npz, relative to the project file's folder (None: not trained yet).
    weights: str | None = None
    # kind -> type name -> plugin, for the types no built-in provides.
    plugins: dict[str, dict[str, str]] = field(default_factory=dict)
    # plugin -> (distribution, version), for the recorded plugins that came from an installed
    # distribution (drop-in files have none).
    plugin_distributions: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Where the project was read from or last saved to; not part of the file.
    path: Path | None = field(default=None, compare=False)
    # The same file as the user named it (``runs/../x.bps.json``), so messages echo their spelling.
    source: str | None = field(default=None, compare=False)

    @property
    def label(self) -> str | None:
        """How error messages name the project file (None for a project never saved)."""
        return self.source or (str(self.path) if self.path is not None else None)

    @property
    def folder(self) -> Path:
        """The folder relative paths in the project start from (the current one for unsaved projects)."""
        return self.path.parent if self.path is not None else Path.cwd()

    def resolve(self, relative: str) -> Path:
        """A path from the project file (absolute paths are kept).

        Spelled from the project file's name as the user gave it (``csvt/data.csv`` for
        ``csvt/p.bps.json``), so messages name files the way the user does.
        """
        candidate = Path(relative).expanduser()
        if candidate.is_absolute():
            return candidate
        base = Path(self.source).parent if self.source and self.path is not None else self.folder
        return base / candidate

    def weights_path(self) -> Path | None:
        return self.resolve(self.weights) if self.weights else None

    def node_specs(self) -> list[NodeSpec]:
        return [node.spec() for node in self.nodes]

    def node(self, name: str) -> NodeEntry:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """The file's content as plain JSON values in a fixed key order."""
        model: dict[str, Any] = {"dtype": self.dtype, "nodes": [_node_json(n) for n in self.nodes]}
        if self.outputs:
            model["outputs"] = list(self.outputs)
        data: dict[str, Any] = {"format_version": FORMAT_VERSION}
        if self.name:
            data["name"] = self.name
        if self.description:
            data["description"] = self.description
        data["model"] = model
        data["dataset"] = {
            "type": self.dataset.type,
            "options": _sorted(self.dataset.options),
            "scaling": self.dataset.scaling,
            "one_hot": self.dataset.one_hot,
        }
        data["training"] = _training_json(self.training)
        data["weights"] = self.weights
        plugins = {kind: _sorted(types) for kind, types in sorted(self.plugins.items()) if types}
        if plugins:
            data["plugins"] = plugins
        if self.plugin_distributions:
            data["plugin_distributions"] = {
                plugin: {"name": name, "version": version}
                for plugin, (name, version) in sorted(self.plugin_distributions.items())}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], path: Path | None = None) -> Project:
        """Build from a dict that passed ``validate_project`` (defaults fill what is omitted)."""
        model, dataset, training = data["model"], data["dataset"], data["training"]
        stopping = training.get("early_stopping")
        return cls(
            nodes=[_node_from_json(n) for n in model["nodes"]],
            dataset=DatasetRef(dataset["type"], dict(dataset.get("options", {})),
                               dataset.get("scaling", "none"), dataset.get("one_hot", False)),
            training=TrainingSettings(
                loss=_component(training["loss"]),
                optimizer=_component(training["optimizer"]),
                schedule=_component(training.get("schedule", {"type": "constant"})),
                batch_size=training.get("batch_size", 32),
                epochs=training.get("epochs", 10),
                seed=training.get("seed", 0),
                shuffle=training.get("shuffle", True),
                validation_split=float(training.get("validation_split", 0.2)),
                early_stopping=EarlyStopping(**stopping) if stopping is not None else None,
                metrics=list(training.get("metrics", [])),
            ),
            name=data.get("name", ""),
            description=data.get("description", ""),
            dtype=model.get("dtype", "float32"),
            outputs=list(model.get("outputs", [])),
            weights=data.get("weights"),
            plugins={kind: dict(types) for kind, types in data.get("plugins", {}).items()},
            plugin_distributions={plugin: (dist["name"], dist["version"])
                                  for plugin, dist in data.get("plugin_distributions", {}).items()},
            path=path,
        )


def _sorted(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: mapping[key] for key in sorted(mapping)}


def _number(value: float) -> int | float:
    """Whole coordinates are written without a trailing .0, so moving nothing changes nothing."""
    return int(value) if float(value).is_integer() else float(value)


def _node_json(node: NodeEntry) -> dict[str, Any]:
    return {
        "name": node.name,
        "type": node.type,
        "config": _sorted(node.config),
        "inputs": list(node.inputs),
        "position": {"x": _number(node.position.x), "y": _number(node.position.y)},
    }


def _node_from_json(data: dict[str, Any]) -> NodeEntry:
    position = data.get("position", {"x": 0, "y": 0})
    return NodeEntry(data["name"], data["type"], dict(data.get("config", {})), list(data.get("inputs", [])),
                     Position(position["x"], position["y"]))


def _component(data: dict[str, Any]) -> ComponentRef:
    return ComponentRef(data["type"], dict(data.get("config", {})))


def _component_json(ref: ComponentRef) -> dict[str, Any]:
    return {"type": ref.type, "config": _sorted(ref.config)}


def _training_json(training: TrainingSettings) -> dict[str, Any]:
    stopping = training.early_stopping
    return {
        "loss": _component_json(training.loss),
        "optimizer": _component_json(training.optimizer),
        "schedule": _component_json(training.schedule),
        "batch_size": training.batch_size,
        "epochs": training.epochs,
        "seed": training.seed,
        "shuffle": training.shuffle,
        "validation_split": training.validation_split,
        "early_stopping": None if stopping is None else {
            "monitor": stopping.monitor,
            "mode": stopping.mode,
            "patience": stopping.patience,
            "min_delta": stopping.min_delta,
            "restore_best_weights": stopping.restore_best_weights,
        },
        "metrics": list(training.metrics),
    }
