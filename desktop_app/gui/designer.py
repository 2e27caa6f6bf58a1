"""The designer: wires the canvas, palette, inspector and panels to the open project.

Views emit what the user did; this class turns each into one undoable ``ProjectDocument.edit``
and, after every change (edit, undo, redo, load), validates the graph with the engine and shows
the result everywhere: node colours and tooltips, edge shapes, inspector, summary, log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPointF, Signal
from PySide6.QtGui import QColor

from ..data.dataset import Dataset
from ..engine.graph import NodeSpec
from ..project.document import Project
from ..project.requirements import missing_types
from ..project.run import load_dataset
from ..registry import Registry
from . import graph_edits, settings_edits
from .canvas import style
from .canvas.node_item import NodeView
from .canvas.scene import GraphScene
from .canvas.view import GraphView
from .commands import SnapshotCommand
from .dataset_fit import check_against_dataset
from .dataset_panel import DatasetPanel
from .document import ProjectDocument
from .log_panel import LogPanel
from .node_inspector import NodeInspector
from .palette import PaletteWidget
from .summary_panel import SummaryPanel
from .training_settings import TrainingSettingsPanel, section_keywords
from .validation import Validation, validate


class Designer(QObject):
    """Owns the design widgets (the window places them) and keeps them in step with the project."""

    # True when the graph builds and fits the dataset: the training part enables Train on it
    graph_valid_changed = Signal(bool)
    # the Validation after each change
    validated = Signal(object)
    # the name of the node the user just selected alone (the window shows the inspector)
    node_selected = Signal(str)

    def __init__(self, document: ProjectDocument, registry: Registry, log: LogPanel,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.registry = registry
        self.log = log
        self.validation = Validation()
        self.scene = GraphScene(self)
        self.view = GraphView(self.scene)
        self.palette = PaletteWidget(registry.layers,
                                     settings_keywords=lambda: section_keywords(self.registry))
        self.inspector = NodeInspector(registry.layers)
        self.training = TrainingSettingsPanel(registry)
        self.dataset = DatasetPanel(registry)
        self.summary = SummaryPanel()
        self._graph_valid = False
        # why the project cannot change now ("" when it can): a run is training it (nodes can move)
        self.locked_reason = ""
        self._logged: set[str] = set()
        # the dataset edit whose loading should also set the Input shape (see _dataset_loaded)
        self._follow_dataset: SnapshotCommand | None = None
        # while the scene is rebuilt its selection passes through states the user never chose
        # (a renamed node's item is replaced): the inspector is told only the result
        self._syncing = False
        self._renamed: dict[str, str] = {}  # the rename being applied: old name -> new
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.document.changed.connect(self.refresh)
        self.scene.selectionChanged.connect(self._show_selection)
        self.scene.connect_requested.connect(self.connect_nodes)
        self.scene.nodes_moved.connect(self._move)
        self.view.layer_dropped.connect(self.add_layer)
        self.palette.layer_chosen.connect(self.add_layer)
        self.inspector.param_edited.connect(self._set_param)
        self.inspector.rename_requested.connect(self.rename)
        self.training.component_chosen.connect(
            lambda section, name: self._edit(f"Use {name} as {section}", settings_edits.choose_component,
                                             section, name))
        self.training.component_edited.connect(
            lambda section, param, value: self._edit(
                f"Set {section} {param}", settings_edits.set_component_param, section, param, value))
        self.training.setting_edited.connect(
            lambda name, value: self._edit(f"Set {name}", settings_edits.set_training_value, name, value))
        self.dataset.dataset_chosen.connect(
            lambda name: self._edit_dataset(f"Use dataset {name}", settings_edits.choose_dataset, name))
        self.dataset.option_edited.connect(
            lambda name, value: self._edit_dataset(f"Set dataset {name}", settings_edits.set_dataset_option,
                                                   name, value))
        self.dataset.import_requested.connect(self._import)
        self.dataset.preprocessing_edited.connect(
            lambda name, value: self._edit(f"Set {name}", settings_edits.set_preprocessing, name, value))
        self.dataset.loaded.connect(self._dataset_loaded)
        self.dataset.failed.connect(self._dataset_failed)

    # --- state -------------------------------------------------------------------------------------
    @property
    def graph_valid(self) -> bool:
        return self._graph_valid

    def node_colors(self) -> dict[str, QColor]:
        """The accent colour of every node with parameters (plots reuse them per layer)."""
        return style.accent_colors(row["name"] for row in self.validation.summary if row["parameters"])

    # --- refreshing the views ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Validate and show the current project everywhere (after any change)."""
        project = self.document.project()
        specs = project.node_specs()
        # first: a new dataset source drops the old dataset, which the graph is no longer checked against
        self.dataset.show_dataset_section(self.document.data["dataset"],
                                          lambda: load_dataset(project, self.registry))
        self.validation = self._validate(project, specs)
        names = {item["name"] for item in graph_edits.nodes(self.document.data)}
        selected = [name if name in names else self._renamed.get(name, name)
                    for name in self.scene.selected_names()]
        self._syncing = True
        try:
            self.scene.sync(self._node_views())
            self.scene.select_names(selected)
        finally:
            self._syncing = False
        self._show_selection()
        self.training.show_training(self.document.data["training"])
        self.summary.show_validation(specs, self.validation)
        self._log_problems()
        valid = self.validation.valid
        if valid != self._graph_valid:
            self._graph_valid = valid
            self.graph_valid_changed.emit(valid)
        self.validated.emit(self.validation)

    def _validate(self, project: Project, specs: list[NodeSpec]) -> Validation:
        """The engine's verdict, plus what keeps the network from training on the loaded dataset."""
        result = validate(specs, self.registry.layers)
        _name_missing_plugins(result, project, specs, self.registry)
        if self.dataset.dataset is not None:
            check_against_dataset(result, project, specs, self.dataset.dataset, self.registry)
        return result

    def _node_views(self) -> list[NodeView]:
        colors = self.node_colors()
        views = []
        for item in graph_edits.nodes(self.document.data):
            cls = self.registry.layers.get(item["type"])
            max_inputs = getattr(cls, "max_inputs", 1)
            name = item["name"]
            shape = self.validation.shapes.get(name)
            views.append(NodeView(
                name=name,
                type=item["type"],
                category=getattr(cls, "category", "Other"),
                position=graph_edits.position(item),
                inputs=list(item.get("inputs", [])),
                takes_input=max_inputs != 0,
                many_inputs=max_inputs is None or max_inputs > 1,
                shape_text=str(shape) if shape is not None else "?",
                error=self.validation.errors.get(name, ""),
                accent=colors.get(name),
            ))
        return views

    def _show_selection(self) -> None:
        if self._syncing:
            return
        names = self.scene.selected_names()
        if len(names) != 1:
            self.inspector.show_node(None, selected_count=len(names))
            return
        name = names[0]
        if name != self.inspector.node_name:
            self.node_selected.emit(name)
        shape = self.validation.shapes.get(name)
        self.inspector.show_node(graph_edits.node(self.document.data, name),
                                 str(shape) if shape is not None else "unknown",
                                 self.validation.errors.get(name, ""))

    def _log_problems(self) -> None:
        # an empty network is where a project starts, not an error (the status bar says what to do)
        messages = set(self.validation.messages()) if self.document.data["model"]["nodes"] else set()
        for message in sorted(messages - self._logged):
            self.log.log(message, "error")
        if self._logged and not messages and self.validation.valid:
            total = sum(row["parameters"] for row in self.validation.summary)
            self.log.log(f"The graph is valid: {total:,} parameters.")
        self._logged = messages

    # --- edits ------------------------------------------------------------------------------------
    def _edit(self, text: str, change, *args: Any) -> Any:
        """Apply one edit as an undo step; an edit the graph refuses, or that would change the
        project while it is locked (``locked_reason``), is logged, not raised."""

        def apply(data: dict[str, Any]) -> Any:
            result = change(data, *args)
            if self.locked_reason and (graph_edits.without_positions(data)
                                       != graph_edits.without_positions(self.document.data)):
                raise graph_edits.EditError(self.locked_reason)
            return result

        try:
            return self.document.edit(text, apply)
        except graph_edits.EditError as error:
            self.log.log(str(error), "error")
            self.refresh()
            return None

    def add_layer(self, type_name: str, at: QPointF | None = None) -> str | None:
        """Add a layer; with exactly one node selected it goes right after that node, connected to
        it. The view scrolls to show the new node."""
        cls = self.registry.layers.get(type_name)
        if cls is None:
            self.log.log(f"unknown layer type '{type_name}'", "error")
            return None
        config = {spec.name: graph_edits.jsonable(spec.default) for spec in cls.schema if spec.required}
        if type_name == "Input" and self.dataset.dataset is not None:
            config["shape"] = list(self.dataset.dataset.sample_shape)
        selected = self.scene.selected_names()
        after = selected[0] if len(selected) == 1 and cls.min_inputs > 0 else None
        spot = None if at is None else (at.x() - style.NODE_WIDTH / 2, at.y() - style.NODE_HEIGHT / 2)
        name = self._edit(f"Add {type_name}", graph_edits.add_node, type_name, config, spot, after)
        if name:
            self.scene.select_names([name])
            self.view.ensureVisible(self.scene.nodes[name].sceneBoundingRect(), 40, 40)
        return name

    def connect_nodes(self, source: str, target: str) -> None:
        item = graph_edits.node(self.document.data, target)
        cls = self.registry.layers.get(item["type"])
        self._edit(f"Connect {source} to {target}", graph_edits.connect, source, target,
                   getattr(cls, "max_inputs", 1))

    def delete_selection(self) -> None:
        names, edges = self.scene.selected_names(), self.scene.selected_edges()
        if not names and not edges:
            return

        def change(data: dict[str, Any]) -> None:
            for source, target in edges:
                graph_edits.disconnect(data, source, target)
            graph_edits.remove_nodes(data, names)

        self._edit(f"Delete {', '.join(names) or 'connection'}", change)

    def duplicate_selection(self) -> None:
        names = self.scene.selected_names()
        if names:
            copies = self._edit(f"Duplicate {', '.join(names)}", graph_edits.duplicate_nodes, names)
            self.scene.select_names(copies or [])

    def rename(self, old: str, new: str) -> None:
        """Rename a node; if it was selected it stays selected (``refresh`` follows the new name)."""
        self._renamed = {old: new.strip()}
        try:
            self._edit(f"Rename {old} to {new}", graph_edits.rename_node, old, new)
        finally:
            self._renamed = {}

    def auto_layout(self) -> None:
        self._edit("Auto-layout", graph_edits.auto_layout)
        self.view.fit_all()

    def _move(self, moved: dict[str, tuple[float, float]]) -> None:
        self._edit("Move " + ", ".join(moved), graph_edits.move_nodes, moved)

    def _set_param(self, name: str, param: str, value: Any) -> None:
        self._edit(f"Set {name}.{param}", graph_edits.set_param, name, param, value)

    # --- the dataset -------------------------------------------------------------------------------
    def _edit_dataset(self, text: str, change, *args: Any) -> None:
        self._follow_dataset = None
        before = self.document.last_command()
        self._edit(text, change, *args)
        command = self.document.last_command()
        self._follow_dataset = command if command is not before else None

    def _import(self, name: str, options: dict[str, Any]) -> None:
        before = self.document.last_command()
        self._edit_dataset(f"Import {Path(next(iter(options.values()))).name}",
                           settings_edits.choose_dataset, name, options)
        if self.document.last_command() is before:  # the same file again: nothing to undo, but
            self.refresh()                            # the panel reads it again

    def _dataset_loaded(self, dataset: Dataset) -> None:
        """The Input shape follows a dataset the user just chose (in the same undo step)."""
        command, self._follow_dataset = self._follow_dataset, None
        self.log.log(f"Dataset '{dataset.name}': {len(dataset):,} samples of shape {dataset.sample_shape}")
        shape = list(dataset.sample_shape)
        if command is not None and not self.document.amend_last(
                command, lambda data: graph_edits.set_input_shape(data, shape)):
            self._edit(f"Input shape {tuple(shape)}", graph_edits.set_input_shape, shape)
        self.refresh()

    def _dataset_failed(self, message: str) -> None:
        self._follow_dataset = None
        self.log.log(f"Dataset: {message}", "error")
        self.refresh()


def _name_missing_plugins(result: Validation, project: Project, specs: list[NodeSpec],
                          registry: Registry) -> None:
    """A node of an unknown type says which plugin provided it and whether that one is installed
    but disabled or broken (the engine only knows that no loaded plugin provides it)."""
    for missing in missing_types(project, registry):
        if missing.use.kind != "layers":
            continue
        for spec in specs:
            if spec.type == missing.use.name and spec.name in result.errors:
                result.errors[spec.name] = f"node '{spec.name}': {missing}"
