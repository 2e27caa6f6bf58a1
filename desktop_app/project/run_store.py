"""Every training run kept, from the window and the CLI: one folder per run, never overwritten.

A project's runs live in ``runs/<project name>/<run id>/`` beside the project file; for a project
never saved, one in a read-only folder or a shipped example, under the user's data folder
(``<data dir>/runs/<project name>/``). A run folder holds plain files:

- ``run.json``: the manifest (``run_outputs``: how it ended, file hashes) plus its status
  (completed / stopped / diverged / failed), start time, duration, where it came from, the flat
  settings (``setting_keys``), seed, app and plugin versions, its best metric and ``health``
  (the divergence found and the health rules' hints at the end, see engine.health);
- ``project.bps.json``: the project as it trained (dataset files named by absolute path);
- ``weights.npz`` and ``weights.data.json`` (none when the run failed before it had weights),
  ``history.csv`` and ``gradient_norms.csv`` (per epoch);
- ``notes.json``: the user's name and note for the run, the one file changed afterwards.

A run is written into a hidden staging folder of the same parent and renamed into place in one
step, so every folder a listing shows is whole whatever interrupts the writer; deleting renames
it hidden first. Hidden leftovers of an interrupted write or delete are removed by the next write.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import secrets
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..engine.callbacks import History
from ..engine.health import HealthMonitor, Hint, diagnose
from ..file_set import replace_files, sync_folder
from ..fileio import atomic_write_text
from ..paths import PACKAGE_DIR, RESOURCES
from ..registry import Registry
from ..settings import data_dir
from .document import Project
from .files import PROJECT_SUFFIX, dumps_project, parse_project
from .requirements import record_plugins
from .run import Run
from .run_outputs import HISTORY, MANIFEST, WEIGHTS, project_identity, read_manifest, run_files
from .setting_keys import flat_settings
from .weights import Preprocessing, graph_fingerprint

RUNS_FOLDER = "runs"
SNAPSHOT, NORMS, NOTES = "project.bps.json", "gradient_norms.csv", "notes.json"
STATUSES = ("completed", "stopped", "diverged", "failed")
HIDDEN = "."


class RunStoreError(ValueError):
    """A run folder that cannot be read or written; the message names it."""


@dataclass
class NewRun:
    """What a finished (or failed) run hands to ``keep_run``."""

    project: Project
    history: History
    # the history's reason, "non_finite" (the loss became NaN or infinite) or "error"
    ended: str
    started: float  # time.time() when the run started
    seconds: float
    source: str  # "window", "cli" or "sweep"
    weights: Mapping[str, np.ndarray] | None = None
    preprocessing: Preprocessing | None = None
    fingerprint: str | None = None
    weights_epoch: int | None = None
    # metric name -> higher is better, for the run's best value
    metrics: Mapping[str, bool] = field(default_factory=dict)
    gradient_norms_csv: str = ""
    # the dataset options that name files (the dataset type's ``path_options``)
    path_options: tuple[str, ...] = ()
    error: str | None = None
    resumed_from: str | None = None
    # the health rules' hints at the run's end (engine.health ``Hint.to_json``); None: not watched
    health_hints: tuple[dict[str, Any], ...] | None = None


@dataclass(frozen=True)
class KeptRun:
    """A run folder as read back: its manifest and the user's notes."""

    folder: Path
    manifest: dict[str, Any]
    notes: dict[str, str]

    @property
    def id(self) -> str:
        return self.folder.name

    @property
    def status(self) -> str:
        return str(self.manifest.get("status", ""))

    @property
    def label(self) -> str:
        """The user's name for the run, else its id."""
        return self.notes.get("name") or self.id

    @property
    def settings(self) -> dict[str, Any]:
        return dict(self.manifest.get("settings", {}))

    @property
    def best(self) -> dict[str, Any] | None:
        return self.manifest.get("best")

    @property
    def weights_path(self) -> Path | None:
        path = self.folder / WEIGHTS
        return path if WEIGHTS in self.manifest.get("files", {}) else None

    def history(self) -> dict[str, list[float]]:
        """history.csv as columns (``epoch``, ``loss``, ``val_accuracy``, ...)."""
        return read_columns(self.folder / HISTORY)

    def gradient_norms(self) -> dict[str, list[float]]:
        """gradient_norms.csv as columns: ``epoch`` and one per layer."""
        return read_columns(self.folder / NORMS)

    def snapshot(self) -> Project:
        """The project as it trained."""
        path = self.folder / SNAPSHOT
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise RunStoreError(f"{path}: cannot read the run's project ({error.strerror})") from None
        return parse_project(text, str(path))

    def summary(self) -> dict[str, Any]:
        """The run in ``runs list --json``."""
        manifest = self.manifest
        return {"run": self.id, "folder": str(self.folder), "name": self.notes.get("name", ""),
                "note": self.notes.get("note", ""), "status": self.status,
                "started": manifest.get("started"), "seconds": manifest.get("seconds"),
                "epochs": manifest.get("epochs_completed"), "source": manifest.get("source"),
                "best": self.best, "resumed_from": manifest.get("resumed_from"),
                "settings": self.settings}


def describe_run(run: Run | None, project: Project, registry: Registry, history: History, ended: str, *,
                 started: float, source: str, weights: Mapping[str, np.ndarray] | None,
                 weights_epoch: int | None = None, gradient_norms_csv: str = "", error: str | None = None,
                 resumed_from: str | None = None, monitor: HealthMonitor | None = None) -> NewRun:
    """The ``NewRun`` of a run of ``project`` built by ``build_run`` (the CLI's and the window's);
    ``run`` is None for a failed run whose model is not kept (it then keeps no weights); ``monitor``
    is the run's health monitor, whose hints the run keeps."""
    source_cls = registry.datasets.get(project.dataset.type)
    project = copy.deepcopy(project)
    record_plugins(project, registry)  # the versions of the plugins it used
    kept = run is not None and weights is not None
    return NewRun(
        project, history, ended, started, time.time() - started, source,
        weights=weights if kept else None,
        preprocessing=run.preprocessing if kept else None,
        fingerprint=graph_fingerprint(project, run.model) if kept else None,
        weights_epoch=weights_epoch,
        metrics={metric.kind_name(): metric.higher_is_better for metric in run.metrics} if run else {},
        gradient_norms_csv=gradient_norms_csv,
        path_options=tuple(getattr(source_cls, "path_options", ())),
        error=error, resumed_from=resumed_from,
        health_hints=None if monitor is None else tuple(map(Hint.to_json, diagnose(monitor.record()))))


# --- where runs live ----------------------------------------------------------------------------------
def runs_root(project: Project) -> Path:
    """The folder holding the project's run folders (see the module docstring)."""
    path = project.path
    if path is not None and can_hold_runs(path.parent):
        return path.parent / RUNS_FOLDER / project_stem(path)
    name = project_stem(path) if path is not None else _safe_name(project.name or "untitled")
    return data_dir() / RUNS_FOLDER / name


def project_stem(path: Path) -> str:
    """``folder/net.bps.json`` -> ``net``."""
    return path.name.removesuffix(PROJECT_SUFFIX).removesuffix(".json")


def can_hold_runs(folder: Path) -> bool:
    """A folder we may write runs into: writable, and not inside the installed package."""
    resolved = folder.resolve()
    if any(resolved.is_relative_to(root.resolve()) for root in (PACKAGE_DIR, RESOURCES)):
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def _safe_name(name: str) -> str:
    cleaned = "".join(char if char.isalnum() or char in "-_" else "_" for char in name.strip())
    return cleaned.strip("_") or "untitled"


# --- writing -----------------------------------------------------------------------------------------------
def keep_run(root: Path, run: NewRun) -> KeptRun:
    """Write ``run`` as a new folder under ``root`` (created if needed), all or nothing."""
    root.mkdir(parents=True, exist_ok=True)
    remove_leftovers(root)
    run_id = _new_id(root, run.started)
    files = run_files(run.weights, run.preprocessing, run.history, run.project.path, run.ended,
                      run.weights_epoch, fingerprint=run.fingerprint,
                      extra_files=_extra_files(run), extra_manifest=_kept_fields(run))
    staging = root / f"{HIDDEN}{run_id}.tmp"
    staging.mkdir()
    try:
        replace_files(staging, files)  # written and flushed to disk, the manifest last
        os.rename(staging, root / run_id)
        sync_folder(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return read_run(root / run_id)


def _new_id(root: Path, started: float) -> str:
    """``20261205-083012-3fa1``: sorts by start time; the random tail keeps two runs of one second apart."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(started))
    while True:
        run_id = f"{stamp}-{secrets.token_hex(2)}"
        if not (root / run_id).exists():
            return run_id


def _extra_files(run: NewRun) -> dict[str, bytes]:
    snapshot = dumps_project(snapshot_project(run.project, run.path_options))
    return {SNAPSHOT: snapshot.encode("utf-8"), NORMS: run.gradient_norms_csv.encode("utf-8")}


def snapshot_project(project: Project, path_options: tuple[str, ...]) -> Project:
    """The project as a run keeps it: the dataset's file options made absolute (the snapshot lives
    in another folder than the project), the weights it was saved with forgotten."""
    data = copy.deepcopy(project.to_json())
    options = data["dataset"]["options"]
    for key in path_options:
        if isinstance(options.get(key), str) and options[key]:
            options[key] = str(project.resolve(options[key]).resolve())
    data["weights"] = None
    return Project.from_json(data, project.path)


def _kept_fields(run: NewRun) -> dict[str, Any]:
    history, project = run.history, run.project
    divergence = history.divergence
    return {
        "status": run_status(run.ended, history),
        "started": datetime.fromtimestamp(run.started, UTC).isoformat(timespec="milliseconds"),
        "seconds": round(run.seconds, 3),
        "source": run.source,
        "resumed_from": run.resumed_from,
        "error": run.error,
        "seed": project.training.seed,
        "app_version": __version__,
        "plugins": {plugin: {"distribution": name, "version": version}
                    for plugin, (name, version) in project.plugin_distributions.items()},
        "settings": flat_settings(project.to_json()),
        "best": best_value(history, run.metrics),
        "health": {
            "divergence": None if divergence is None else divergence.describe(),
            "hints": None if run.health_hints is None else list(run.health_hints),
        },
    }


def run_status(ended: str, history: History) -> str:
    """completed (also stopped early by its monitor), stopped, diverged or failed."""
    if ended == "error":
        return "failed"
    if ended == "non_finite" or history.divergence is not None:
        return "diverged"
    return "stopped" if ended == "stopped" else "completed"


def best_value(history: History, metrics: Mapping[str, bool]) -> dict[str, Any] | None:
    """The best epoch's value of the first metric on validation data (else of the validation
    loss, the training metric, the training loss): ``{"name", "value", "epoch"}``."""
    if not history.epochs:
        return None
    logs = history.epochs[0].logs
    first = next(iter(metrics), None)
    candidates = [f"val_{first}", "val_loss", first, "loss"] if first else ["val_loss", "loss"]
    name = next(candidate for candidate in candidates if candidate in logs)
    higher = metrics.get(name.removeprefix("val_"), False) if not name.endswith("loss") else False
    values = [(event.logs[name], event.epoch) for event in history.epochs if np.isfinite(event.logs[name])]
    if not values:
        return None
    value, epoch = (max if higher else min)(values, key=lambda pair: pair[0])
    return {"name": name, "value": float(value), "epoch": epoch, "higher_is_better": higher}


def set_notes(run: KeptRun, name: str | None = None, note: str | None = None) -> KeptRun:
    """Rename the run or change its note (None keeps the current one)."""
    notes = dict(run.notes)
    for key, value in (("name", name), ("note", note)):
        if value is not None:
            notes[key] = value.strip()
    atomic_write_text(run.folder / NOTES, json.dumps(notes, indent=1) + "\n")
    return KeptRun(run.folder, run.manifest, notes)


def delete_run(run: KeptRun) -> None:
    """Remove the run's folder: hidden by one rename first, so a listing never sees half of it."""
    hidden = run.folder.parent / f"{HIDDEN}{run.id}.deleting-{secrets.token_hex(4)}"
    os.rename(run.folder, hidden)
    shutil.rmtree(hidden, ignore_errors=True)


def remove_leftovers(root: Path) -> None:
    """Remove the hidden folders an interrupted write or delete left in ``root``."""
    for leftover in root.glob(f"{HIDDEN}*"):
        if leftover.is_dir() and (leftover.name.endswith(".tmp") or ".deleting-" in leftover.name):
            shutil.rmtree(leftover, ignore_errors=True)


# --- reading -----------------------------------------------------------------------------------------------
def runs_of(project: Project) -> list[KeptRun]:
    """The kept runs of this project, oldest first. A shared folder (the data folder's) may hold
    runs of another project of the same name: those are left out."""
    identity = None if project.path is None else project_identity(project.path)
    return [run for run in list_runs(runs_root(project)) if run.manifest.get("project") == identity]


def list_runs(root: Path) -> list[KeptRun]:
    """The runs under ``root``, oldest first (hidden and unreadable folders skipped)."""
    if not root.is_dir():
        return []
    runs = []
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and not folder.name.startswith(HIDDEN):
            try:
                runs.append(read_run(folder))
            except RunStoreError:
                continue
    return sorted(runs, key=lambda run: (str(run.manifest.get("started", "")), run.id))


def read_run(folder: str | os.PathLike) -> KeptRun:
    """The run in ``folder``; RunStoreError naming it when it is not one."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("status") not in STATUSES:
        raise RunStoreError(f"{folder}: not a kept run (no readable {MANIFEST} with a status)")
    try:
        notes = json.loads((folder / NOTES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        notes = {}
    notes = {key: str(value) for key, value in notes.items()} if isinstance(notes, dict) else {}
    return KeptRun(folder, manifest, notes)


def read_columns(path: Path) -> dict[str, list[float]]:
    """A CSV of numbers as columns by header (empty when the file is missing or empty)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return {}
    columns: dict[str, list[float]] = {name: [] for name in rows[0]}
    for row in rows[1:]:
        for name, cell in zip(rows[0], row, strict=False):
            columns[name].append(float(cell))
    return columns
