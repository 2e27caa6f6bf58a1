"""Every training run kept, from the window and the CLI: one folder per run, never overwritten.

Each project has a runs folder of its own, so one project never lists another's runs:

- ``runs/<file name>/`` beside the project file (``net.bps.json``: ``runs/net/``);
- for a shipped example, ``<data dir>/runs/<example>/`` in the user's data folder;
- for a project in a folder that cannot be written, ``<data dir>/runs/<file name>-<key>/``, the key
  made from the project file's absolute path (two ``net.bps.json`` of two read-only folders);
- for a project never saved, ``<data dir>/runs/unsaved/<name>-<key>/``, the key its window's
  (``unsaved_root``); when the project is first saved, its runs move to its new folder
  (``move_runs``). A saved project's runs stay with the file they were trained from (Save As
  makes a copy of the project, not of its runs).

A run folder holds plain files:

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
it hidden first, and a move is one rename (or a staged copy renamed into place before the
original is deleted). Hidden leftovers of an interrupted write or delete are removed by the next
write, once the process that left them has ended. A folder a listing cannot read as a run (its
run.json damaged or missing, its curves' files not those run.json records) is listed as
``broken``, with the reason, never left out.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import errno
import hashlib
import io
import json
import os
import re
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
from .run_outputs import HISTORY, MANIFEST, WEIGHTS, project_identity, run_files
from .setting_keys import flat_settings
from .weights import Preprocessing, graph_fingerprint

RUNS_FOLDER = "runs"
UNSAVED_FOLDER = "unsaved"
SNAPSHOT, NORMS, NOTES = "project.bps.json", "gradient_norms.csv", "notes.json"
STATUSES = ("completed", "stopped", "diverged", "failed")
BROKEN = "broken"  # the status a listing gives a folder it cannot read as a run
HIDDEN = "."
STAGING = ".tmp"
# a run folder's name (``_new_id``), with the tail ``move_runs`` adds when the name is taken
RUN_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{4}(-[0-9a-f]{4})?")


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
    # why the folder is not a readable run (its manifest is then empty); None for a good run
    problem: str | None = None

    @property
    def id(self) -> str:
        return self.folder.name

    @property
    def broken(self) -> bool:
        return self.problem is not None

    @property
    def status(self) -> str:
        return BROKEN if self.broken else str(self.manifest.get("status", ""))

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
                "settings": self.settings, "problem": self.problem}


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
    """The folder holding the runs of a saved project (see the module docstring); a project never
    saved has the one its window chose (``unsaved_root``)."""
    if project.path is None:
        raise ValueError("a project never saved keeps its runs where its window chose (unsaved_root)")
    return runs_home(project.path)


def runs_home(path: Path) -> Path:
    """The runs folder of the project file ``path``: beside it, else in the data folder."""
    if can_hold_runs(path.parent):
        return path.parent / RUNS_FOLDER / project_stem(path)
    if _installed(path.parent):  # a shipped example: one of a kind, named as it is
        return data_dir() / RUNS_FOLDER / project_stem(path)
    key = hashlib.sha256(project_identity(path).encode("utf-8")).hexdigest()[:8]
    return data_dir() / RUNS_FOLDER / f"{project_stem(path)}-{key}"


def unsaved_root(name: str, key: str) -> Path:
    """The runs folder of a project never saved, named ``name``; ``key`` (its window's) keeps two
    unsaved projects of one name apart."""
    return data_dir() / RUNS_FOLDER / UNSAVED_FOLDER / f"{_safe_name(name or 'untitled')}-{key}"


def new_unsaved_key() -> str:
    return secrets.token_hex(4)


def project_stem(path: Path) -> str:
    """``folder/net.bps.json`` -> ``net``."""
    return path.name.removesuffix(PROJECT_SUFFIX).removesuffix(".json")


def can_hold_runs(folder: Path) -> bool:
    """A folder we may write runs into: writable, and not inside the installed package."""
    return not _installed(folder) and os.access(folder, os.W_OK | os.X_OK)


def _installed(folder: Path) -> bool:
    resolved = folder.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in (PACKAGE_DIR, RESOURCES))


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
    staging = _staging(root, run_id)
    staging.mkdir()
    try:
        replace_files(staging, files)  # written and flushed to disk, the manifest last
        os.rename(staging, root / run_id)
        sync_folder(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return read_run(root / run_id)


def _staging(root: Path, name: str) -> Path:
    """The hidden folder a run is written (or copied) into before its rename: named with the
    writer's process id, so another writer leaves it alone while that process lives."""
    return root / f"{HIDDEN}{name}.{os.getpid()}{STAGING}"


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
    _delete_folder(run.folder)


def _delete_folder(folder: Path) -> None:
    hidden = folder.parent / f"{HIDDEN}{folder.name}.deleting-{secrets.token_hex(4)}"
    os.rename(folder, hidden)
    shutil.rmtree(hidden, ignore_errors=True)


def move_runs(source: Path, target: Path) -> list[Path]:
    """Move every run folder of ``source`` (broken ones too) into ``target``, and remove
    ``source`` once empty: the runs of a project never saved follow it into its first file's
    runs folder. Each run moves whole: one rename, or across file systems a copy staged hidden
    in ``target`` and renamed into place before the original is deleted, so an interruption
    leaves it in one place or both, never half in one. Returns the runs' new folders."""
    if not source.is_dir():
        return []
    folders = [folder for folder in sorted(source.iterdir())
               if folder.is_dir() and not folder.name.startswith(HIDDEN)]
    moved = []
    if folders:
        target.mkdir(parents=True, exist_ok=True)
        remove_leftovers(target)
    for folder in folders:
        destination = target / folder.name
        while destination.exists():  # a rename would replace an empty folder of the same name
            destination = target / f"{folder.name}-{secrets.token_hex(2)}"
        try:
            os.rename(folder, destination)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            _copy_into_place(folder, destination)
            _delete_folder(folder)
        moved.append(destination)
    if moved:
        sync_folder(target)
    remove_leftovers(source)
    with contextlib.suppress(OSError):  # not empty: something else is kept there
        source.rmdir()
    return moved


def _copy_into_place(folder: Path, destination: Path) -> None:
    """Copy ``folder`` to ``destination`` through a hidden staging folder, flushed to disk first."""
    staging = _staging(destination.parent, destination.name)
    try:
        shutil.copytree(folder, staging)
        for path in staging.rglob("*"):
            if path.is_file():
                with open(path, "rb") as handle:
                    os.fsync(handle.fileno())
        sync_folder(staging)
        os.rename(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    sync_folder(destination.parent)


def remove_leftovers(root: Path) -> None:
    """Remove the hidden folders an interrupted write or delete left in ``root`` (not those of a
    writer still at work: another window's or command's)."""
    for leftover in root.glob(f"{HIDDEN}*"):
        if not leftover.is_dir():
            continue
        if ".deleting-" in leftover.name or (leftover.name.endswith(STAGING) and not _writer_alive(leftover)):
            shutil.rmtree(leftover, ignore_errors=True)


def _writer_alive(staging: Path) -> bool:
    """Whether the process that named ``staging`` (``.<run id>.<pid>.tmp``) still runs."""
    pid = staging.name.removesuffix(STAGING).rpartition(".")[2]
    if not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True  # another thread of this process (a sweep beside a window run)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but is another user's
        return True
    return True


# --- reading -----------------------------------------------------------------------------------------------
def runs_of(project: Project) -> list[KeptRun]:
    """The kept runs of this saved project, oldest first (broken ones last)."""
    return runs_in(runs_root(project), project.path)


def runs_in(root: Path, project_file: Path | None) -> list[KeptRun]:
    """The runs in ``root`` of the project file ``project_file`` (None: a project never saved).
    Two files of one stem beside each other (``net.json``, ``net.bps.json``) share ``runs/net/``:
    the runs recorded for the other file are left out. Runs are matched by file name, not by the
    whole path, so that they stay listed when the user moves the folder."""
    name = None if project_file is None else project_file.name
    return [run for run in list_runs(root) if _recorded_name(run) in (None, name)]


def _recorded_name(run: KeptRun) -> str | None:
    recorded = run.manifest.get("project")
    return Path(recorded).name if isinstance(recorded, str) else None


def list_runs(root: Path) -> list[KeptRun]:
    """The runs under ``root``, oldest first; hidden folders (being written or deleted) skipped,
    run folders that cannot be read listed as broken, after the others."""
    if not root.is_dir():
        return []
    entries = [listed_run(folder) for folder in sorted(root.iterdir()) if not folder.name.startswith(HIDDEN)]
    runs = [run for run in entries if run is not None]
    return sorted(runs, key=lambda run: (run.broken, str(run.manifest.get("started", "")), run.id))


def listed_run(folder: Path) -> KeptRun | None:
    """The run in ``folder``, broken if it cannot be read; None for a folder that is no run
    folder at all (neither named like one nor holding a run.json)."""
    try:
        return read_run(folder)
    except RunStoreError as error:
        looks_like_run = RUN_ID.fullmatch(folder.name) or (folder / MANIFEST).exists()
        if not folder.is_dir() or not looks_like_run:
            return None
        return KeptRun(folder, {}, _read_notes(folder), problem=str(error))


def read_run(folder: str | os.PathLike) -> KeptRun:
    """The run in ``folder``; RunStoreError naming it (and what is wrong) when it is not one, or
    when a file that tables, plots and reports read is not the one its run.json records."""
    folder = Path(folder)
    manifest = _read_manifest(folder)
    _check_curves(folder, manifest)
    return KeptRun(folder, manifest, _read_notes(folder))


def _check_curves(folder: Path, manifest: dict[str, Any]) -> None:
    """history.csv and gradient_norms.csv (small) against their SHA-256 in run.json."""
    recorded = manifest.get("files")
    for name in (HISTORY, NORMS):
        digest = recorded.get(name) if isinstance(recorded, dict) else None
        if digest is None:
            continue
        try:
            data = (folder / name).read_bytes()
        except OSError as error:
            why = f"{name} cannot be read ({error.strerror})"
            raise RunStoreError(f"{folder}: a damaged run: {why}") from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise RunStoreError(f"{folder}: a damaged run: {name} is not the file its {MANIFEST} records "
                                "(changed or damaged since the run)")


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        why = f"there is no {MANIFEST}"
    except OSError as error:
        why = f"{MANIFEST} cannot be read ({error.strerror})"
    except UnicodeDecodeError:
        why = f"{MANIFEST} is not text"
    else:
        try:
            manifest = json.loads(text)
        except ValueError as error:
            why = f"{MANIFEST} is not valid JSON: {error}"
        else:
            if isinstance(manifest, dict) and manifest.get("status") in STATUSES:
                return manifest
            why = f"{MANIFEST} has no run status"
    raise RunStoreError(f"{folder}: not a kept run (no readable {MANIFEST} with a status): {why}")


def _read_notes(folder: Path) -> dict[str, str]:
    try:
        notes = json.loads((folder / NOTES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        notes = {}
    return {key: str(value) for key, value in notes.items()} if isinstance(notes, dict) else {}


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
