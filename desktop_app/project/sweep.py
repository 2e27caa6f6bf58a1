"""Sweeps: one project trained with several values of a few settings, one kept run per config.

Settings are named as in ``setting_keys`` (``training.optimizer.learning_rate``); each gets a
list of values. The configs are every combination (grid) or ``random`` of them drawn without
repeats. Each config's project is validated before anything trains, so a bad value fails the
sweep at once, naming the setting. ``train_config`` trains one config and keeps its run (source
``sweep``); the CLI and the window's sweep dialog both go through it. The results table has one
row per config: its values, the run's status, best metric and folder.
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.callbacks import Callback, History, RunResult
from ..engine.control import TrainingControl
from ..engine.errors import EngineError, NonFiniteLossError
from ..registry import Registry
from .document import Project
from .errors import ProjectError
from .gradient_norms import EpochGradientNorms
from .run import build_model, build_run, make_component
from .run_store import KeptRun, describe_run, keep_run, runs_root
from .setting_keys import SettingKeyError, apply_setting
from .validation import validate_project

MAX_CONFIGS = 64  # "a few dozen": more is a job for a cluster, not a desktop sweep
Config = dict[str, Any]


@dataclass(frozen=True)
class Axis:
    """One swept setting and its values."""

    name: str
    values: tuple[Any, ...]


class SweepError(ValueError):
    """A sweep that cannot run; the message names the setting or value."""


def parse_axis(text: str) -> Axis:
    """``name=v1,v2,...``: numbers and true/false/null as JSON, anything else as text."""
    name, equals, values = text.partition("=")
    if not equals or not name.strip() or not values.strip():
        raise SweepError(f"--set {text}: expected NAME=VALUE[,VALUE...], e.g. "
                         "training.optimizer.learning_rate=1e-3,1e-2")
    return Axis(name.strip(), tuple(parse_value(value.strip()) for value in values.split(",")))


def parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def configs(axes: Sequence[Axis], random: int | None = None, seed: int = 0) -> list[Config]:
    """Every combination of the axes' values, or ``random`` of them (different ones, in a seeded order)."""
    names = [axis.name for axis in axes]
    if len(set(names)) != len(names):
        raise SweepError(f"a setting is swept twice: {', '.join(names)}")
    grid = [dict(zip(names, values, strict=True)) for values in itertools.product(*(a.values for a in axes))]
    if random is not None:
        if random < 1:
            raise SweepError(f"--random must be at least 1. Received: {random}")
        picked = np.random.default_rng(seed).permutation(len(grid))[:random]
        grid = [grid[index] for index in sorted(picked)]
    if len(grid) > MAX_CONFIGS:
        raise SweepError(f"{len(grid)} configs; a sweep runs at most {MAX_CONFIGS} (use fewer values, or "
                         "--random N)")
    return grid


def config_project(project: Project, config: Config) -> Project:
    """``project`` with the config's values set, validated (a bad name or value raises SweepError)."""
    data = copy.deepcopy(project.to_json())
    try:
        for name, value in config.items():
            apply_setting(data, name, value)
        validate_project(data, describe(config))
    except (SettingKeyError, ProjectError) as error:
        raise SweepError(str(error)) from None
    result = Project.from_json(data, project.path)
    result.source = project.source
    return result


def check_configs(project: Project, registry: Registry, sweep: Iterable[Config]) -> list[Project]:
    """Every config's project, each checked as far as can be without training (its network built,
    its components made), so a sweep never stops half way on a typo."""
    projects = []
    for config in sweep:
        trained = config_project(project, config)
        try:
            build_model(trained, registry)
            settings = trained.training
            for table, section in ((registry.losses, "loss"), (registry.optimizers, "optimizer"),
                                   (registry.schedules, "schedule")):
                make_component(table, getattr(settings, section), trained, f"$.training.{section}.config")
        except (ProjectError, EngineError) as error:
            raise SweepError(f"{describe(config)}: {error}") from None
        projects.append(trained)
    return projects


def describe(config: Config) -> str:
    """``learning_rate=0.01 batch_size=64``: a config on one line (the last part of each name)."""
    return " ".join(f"{name.rsplit('.', 1)[-1]}={value}" for name, value in config.items())


def train_config(project: Project, registry: Registry, *, control: TrainingControl | None = None,
                 callbacks: Sequence[object] = (), root: Path | None = None) -> KeptRun:
    """Train one config's project from fresh weights and keep its run (failed ones too) in
    ``root``, by default the project's runs folder (a window names that of a project never saved)."""
    norms, ending = EpochGradientNorms(), RunEnding()
    run = build_run(project, registry=registry, callbacks=[*callbacks, norms, ending], control=control)
    started = time.time()
    try:
        history = run.fit()
        ended, error = history.reason or "completed", None
    except NonFiniteLossError:
        history, ended, error = ending.history, "non_finite", None
    except (EngineError, ValueError, ArithmeticError) as problem:
        history, ended, error = ending.history, "error", str(problem) or type(problem).__name__
    weights = run.model.get_weights() if ended != "error" else None
    new = describe_run(run, project, registry, history, ended, started=started, source="sweep",
                       weights=weights, weights_epoch=history.epochs[-1].epoch if history.epochs else None,
                       gradient_norms_csv=norms.table.csv(), error=error)
    return keep_run(root if root is not None else runs_root(project), new)


class RunEnding(Callback):
    """Keeps the history of a run however it ended (a failed ``fit`` raises instead of returning it)."""

    def __init__(self) -> None:
        self.history = History()

    def on_run_end(self, result: RunResult) -> None:
        self.history = result.history


def result_row(config: Config, run: KeptRun) -> dict[str, Any]:
    """One row of the results table."""
    best = run.best or {}
    return {**config, "status": run.status, "best_metric": best.get("name", ""),
            "best_value": best.get("value", ""), "best_epoch": best.get("epoch", ""),
            "epochs": run.manifest.get("epochs_completed", ""), "seconds": run.manifest.get("seconds", ""),
            "run": str(run.folder)}


def results_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The results as CSV, one row per config, the swept settings first."""
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()


def best_row(rows: Sequence[dict[str, Any]], higher_is_better: bool) -> dict[str, Any] | None:
    """The row with the best value among runs that did not fail or diverge."""
    usable = [row for row in rows if row["status"] in ("completed", "stopped") and row["best_value"] != ""]
    if not usable:
        return None
    return (max if higher_is_better else min)(usable, key=lambda row: row["best_value"])
