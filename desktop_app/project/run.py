"""From a project to a ready training run: the one path the CLI and the GUI both take.

``build_run`` checks the installed types, builds and seeds the model, makes the loss, optimizer,
schedule and metrics, loads the dataset, splits and scales it, and hands back a Trainer with the
keyword arguments for ``fit``. The same project and seed therefore give the same weights whether
trained from the window or from a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..data.dataset import Dataset
from ..data.errors import DataError
from ..data.preprocess import PreparedData, fit_scaler, split_and_scale
from ..engine.callbacks import History
from ..engine.component import Component
from ..engine.control import TrainingControl
from ..engine.errors import ConfigError, GraphError
from ..engine.graph import Model
from ..engine.loss import Loss
from ..engine.metric import Metric
from ..engine.optimizer import Optimizer
from ..engine.schedule import Schedule
from ..engine.training import Trainer
from ..fileio import load_weights
from ..plugin_system import PluginCallback, PluginProblem
from ..registry import Registry
from .document import ComponentRef, Project
from .errors import ProjectError
from .requirements import require_types
from .weights import Preprocessing


@dataclass(frozen=True)
class RunOverrides:
    """Settings that replace the project's for one run (None keeps the project's value).

    ``weights`` starts from given weights (a .npz or .safetensors path, or ``node/param`` arrays)
    instead of fresh initialization, for fine-tuning or resuming.
    """

    epochs: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    seed: int | None = None
    shuffle: bool | None = None
    weights: str | os.PathLike | Mapping[str, np.ndarray] | None = None


@dataclass
class Run:
    """Everything one training run needs; ``fit()`` trains ``model`` in place."""

    project: Project
    model: Model
    loss: Loss
    optimizer: Optimizer
    schedule: Schedule
    metrics: list[Metric]
    data: PreparedData
    trainer: Trainer
    fit_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def preprocessing(self) -> Preprocessing:
        """What to save beside the trained weights (scaler and class names)."""
        return Preprocessing(self.data.scaler, self.data.dataset.class_names, self.data.dataset.name)

    def fit(self) -> History:
        """Train; settings the trainer refuses before starting (early stopping's monitor) name the file."""
        try:
            return self.trainer.fit(self.data.x_train, self.data.y_train, **self.fit_kwargs)
        except ConfigError as error:
            raise ProjectError(str(error), self.project.label, "$.training") from None


def build_model(project: Project, registry: Registry, seed: int | None = None) -> Model:
    """The project's network, built and initialized from ``seed`` (default: the project's seed)."""
    require_types(project, registry)
    try:
        return Model(project.node_specs(), registry.layers, outputs=project.outputs or None,
                     dtype=project.dtype, seed=project.training.seed if seed is None else seed)
    except GraphError as error:
        raise ProjectError(str(error), project.label, _node_path(project, error.node)) from None


def make_component(table: Mapping[str, type], ref: ComponentRef, project: Project, where: str) -> Component:
    """An instance of ``ref.type`` from ``table``; a bad parameter is named with ``where``, its JSON path."""
    try:
        return table[ref.type](**ref.config)
    except ConfigError as error:
        raise ProjectError(str(error), project.label, where) from None


def load_dataset(project: Project, registry: Registry) -> Dataset:
    """The project's dataset; file options are resolved against the project's folder.

    A missing file, or one the system cannot read, is named with its option's JSON path.
    """
    require_types(project, registry)
    source_cls = registry.datasets[project.dataset.type]
    options = dict(project.dataset.options)
    for key in getattr(source_cls, "path_options", ()):
        if isinstance(options.get(key), str) and options[key]:
            options[key] = str(_existing_file(project, key, options[key]))
    source = make_component(registry.datasets, ComponentRef(project.dataset.type, options), project,
                            "$.dataset.options")
    try:
        return source.load()
    except OSError as error:
        raise ProjectError(f"cannot read {error.filename or 'the dataset'} ({error.strerror})",
                           project.label, "$.dataset.options") from None


def _existing_file(project: Project, key: str, value: str) -> Path:
    """``value`` resolved against the project's folder; a ProjectError unless it is a file."""
    path = project.resolve(value)
    if not path.is_file():
        problem = "is a folder, not a file" if path.is_dir() else "does not exist"
        shown = f"'{value}'" if str(path) == value else f"'{value}' ({path})"
        raise ProjectError(f"the dataset file {shown} {problem}", project.label, f"$.dataset.options.{key}")
    return path


def _node_path(project: Project, name: str | None) -> str:
    """``$.model.nodes[i]`` of the node called ``name`` (``$.model`` when no node has that name)."""
    names = [node.name for node in project.nodes]
    return f"$.model.nodes[{names.index(name)}]" if name in names else "$.model"


# Where a project sets what a DataError's ``setting`` names (``output_shape``: the output node).
SETTING_PATHS = {"validation_split": "$.training.validation_split", "loss": "$.training.loss"}


def prepare_data(project: Project, model: Model, loss: Loss, dataset: Dataset, seed: int) -> PreparedData:
    """Split and scale ``dataset`` for ``model`` and ``loss``; a mismatch names the project's setting."""
    if dataset.sample_shape != model.input_shape:
        raise ProjectError(
            f"dataset '{dataset.name}' has samples of shape {dataset.sample_shape}, but the model's input "
            f"'{model.input_names[0]}' takes {model.input_shape}: change the Input node's shape",
            project.label, f"{_node_path(project, model.input_names[0])}.config.shape",
        )
    try:
        return split_and_scale(
            dataset,
            loss_task=loss.task,
            output_shape=model.output_shape,
            validation_split=project.training.validation_split,
            seed=seed,
            scaling=project.dataset.scaling,
            one_hot=project.dataset.one_hot,
            dtype=model.dtype,
        )
    except DataError as error:
        where = (_node_path(project, model.output_names[0]) if error.setting == "output_shape"
                 else SETTING_PATHS.get(error.setting or ""))
        raise ProjectError(str(error), project.label, where) from None


def fit_preprocessing(project: Project, registry: Registry) -> Preprocessing:
    """The scaler and class names a run of ``project`` (with its own seed) trains with.

    For weights saved without their preprocessing record: refits the scaler from the dataset.
    """
    dataset = load_dataset(project, registry)
    settings = project.training
    scaler, _, _ = fit_scaler(dataset, settings.validation_split, settings.seed, project.dataset.scaling)
    return Preprocessing(scaler, dataset.class_names, dataset.name)


def build_run(
    project: Project,
    overrides: RunOverrides | None = None,
    *,
    registry: Registry,
    dataset: Dataset | None = None,
    callbacks: Iterable[object] = (),
    control: TrainingControl | None = None,
    on_plugin_problem: Callable[[PluginProblem], None] | None = None,
) -> Run:
    """A ready run of ``project`` with the types in ``registry``.

    ``dataset`` skips loading when the caller already has it. A plugin's training hook that raises
    is muted for the run and reported to ``on_plugin_problem`` (the plugins logger without one);
    it is called on the training thread.
    """
    overrides = overrides or RunOverrides()
    settings = project.training
    seed = settings.seed if overrides.seed is None else overrides.seed
    model = build_model(project, registry, seed)
    batch_size = settings.batch_size if overrides.batch_size is None else overrides.batch_size
    if overrides.weights is not None:
        _load_initial_weights(model, overrides.weights)
    loss = make_component(registry.losses, settings.loss, project, "$.training.loss.config")
    optimizer_ref = settings.optimizer
    if overrides.learning_rate is not None:
        optimizer_ref = ComponentRef(optimizer_ref.type,
                                     {**optimizer_ref.config, "learning_rate": overrides.learning_rate})
    optimizer = make_component(registry.optimizers, optimizer_ref, project, "$.training.optimizer.config")
    schedule = make_component(registry.schedules, settings.schedule, project, "$.training.schedule.config")
    metrics = [make_component(registry.metrics, ComponentRef(name), project, f"$.training.metrics[{i}]")
               for i, name in enumerate(settings.metrics)]
    _check_metric_tasks(project, metrics, loss, registry)
    data = prepare_data(project, model, loss, dataset or load_dataset(project, registry), seed)
    try:
        model.require_memory(min(batch_size, len(data.x_train)))
    except GraphError as error:
        raise ProjectError(str(error), project.label, _node_path(project, error.node)) from None
    try:
        trainer = Trainer(model, loss, optimizer, schedule, metrics or None, callbacks, control)
    except ConfigError as error:
        raise ProjectError(str(error), project.label) from None
    # Plugins' training hooks (run start, epoch end, run end) fire for every run, CLI or window.
    PluginCallback.attach(trainer, on_problem=on_plugin_problem)
    fit_kwargs = {
        "epochs": settings.epochs if overrides.epochs is None else overrides.epochs,
        "batch_size": batch_size,
        "shuffle": settings.shuffle if overrides.shuffle is None else overrides.shuffle,
        "seed": seed,
        "validation_data": None if data.x_val is None else (data.x_val, data.y_val),
        "early_stopping": settings.early_stopping,
    }
    return Run(project, model, loss, optimizer, schedule, trainer.metrics, data, trainer, fit_kwargs)


def _check_metric_tasks(project: Project, metrics: list[Metric], loss: Loss, registry: Registry) -> None:
    """Refuse metrics made for another kind of task than the loss's (r2 on a classifier)."""
    problem = metric_task_problem(project, loss.task, registry, metrics)
    if problem is not None:
        index, message = problem
        raise ProjectError(message, project.label, f"$.training.metrics[{index}]")


def metric_task_problem(project: Project, task: str, registry: Registry,
                        metrics: list[type[Metric] | Metric] | None = None) -> tuple[int, str] | None:
    """The index of the first of the project's metrics that does not apply to the loss's ``task``,
    and the message naming all of them; None when every metric applies. ``metrics`` defaults to
    the registered classes of the project's metric names (the window checks before building)."""
    if metrics is None:
        metrics = [registry.metrics[name] for name in project.training.metrics if name in registry.metrics]

    def fits(metric: type[Metric] | Metric) -> bool:
        return not metric.tasks or task in metric.tasks

    wrong = [(index, metric) for index, metric in enumerate(metrics) if not fits(metric)]
    if not wrong:
        return None
    names = ", ".join(f"'{metric.kind_name()}' (for {'/'.join(metric.tasks)})" for _, metric in wrong)
    suitable = sorted(name for name, cls in registry.metrics.items() if fits(cls))
    return wrong[0][0], (f"metric(s) {names} do not apply to the {task} task of the loss "
                         f"'{project.training.loss.type}'. Expected metrics for {task}: {suitable}")


def _load_initial_weights(model: Model, weights: str | os.PathLike | Mapping[str, np.ndarray]) -> None:
    arrays = weights if isinstance(weights, Mapping) else load_weights(weights)
    try:
        model.set_weights(arrays)
    except GraphError as error:
        where = "" if isinstance(weights, Mapping) else f"{weights}: "
        raise ProjectError(f"{where}{error}") from None
