"""What ``train`` leaves in its output folder, replaced as one set (see ``desktop_app.file_set``).

``weights.npz`` and ``weights.data.json`` (the weights and their preprocessing record),
``history.csv`` (one row per epoch) and ``run.json``, the manifest, moved into place last: the
run's id, its project, how it ended, which epoch the weights are from, whether the loss
diverged, and the SHA-256 of each of the other three files, so anyone can check that the files
in a folder belong together.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.callbacks import History
from ..file_set import check_replaceable, replace_files
from ..fileio import weights_npz_bytes
from .history import history_csv
from .weights import Preprocessing, sidecar_text

WEIGHTS, SIDECAR, HISTORY, MANIFEST = "weights.npz", "weights.data.json", "history.csv", "run.json"
RUN_FILES = (WEIGHTS, SIDECAR, HISTORY, MANIFEST)
MANIFEST_VERSION = 1


def save_run(folder: str | os.PathLike, weights: Mapping[str, np.ndarray], preprocessing: Preprocessing,
             history: History, project_file: str | os.PathLike, ended: str,
             weights_epoch: int | None) -> None:
    """Replace the run files in ``folder`` (which must exist) by this run's, all or none.

    ``ended`` is the history's reason or ``non_finite``; ``weights_epoch`` the epoch whose end the
    weights are from (None: a non-finite loss stopped the run mid-epoch, at its last finite batch).
    """
    replace_files(folder, run_files(weights, preprocessing, history, project_file, ended, weights_epoch))


def run_files(weights: Mapping[str, np.ndarray] | None, preprocessing: Preprocessing | None,
              history: History, project_file: str | os.PathLike | None, ended: str,
              weights_epoch: int | None, *, fingerprint: str | None = None,
              extra_files: Mapping[str, bytes] | None = None,
              extra_manifest: Mapping[str, Any] | None = None) -> dict[str, bytes]:
    """The run's files by name, the manifest last (see ``save_run``). A run that failed before it
    had weights has none (``weights`` None); ``extra_files`` (hashed in the manifest like the
    others) and ``extra_manifest`` are what a kept run adds (``desktop_app.project.run_store``)."""
    files = {}
    if weights is not None and preprocessing is not None:
        files[WEIGHTS] = weights_npz_bytes(weights)
        files[SIDECAR] = sidecar_text(preprocessing, fingerprint).encode("utf-8")
    files[HISTORY] = history_csv(history).encode("utf-8")
    files.update(extra_files or {})
    divergence = history.divergence
    manifest = {
        "format_version": MANIFEST_VERSION,
        "run_id": uuid.uuid4().hex,
        "project": None if project_file is None else project_identity(project_file),
        "ended": ended,
        "epochs_completed": len(history.epochs),
        "weights_epoch": weights_epoch,
        "diverged": None if divergence is None else
        {"epoch": divergence.epoch, "loss": divergence.loss, "best_loss": divergence.best},
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
        **(extra_manifest or {}),
    }
    files[MANIFEST] = (json.dumps(manifest, indent=1, allow_nan=False) + "\n").encode("utf-8")
    return files


def check_run_folder(folder: Path) -> None:
    """Refuse (FileSetError) a folder where a run file's name is taken by a folder."""
    check_replaceable(folder, RUN_FILES)


def project_identity(project_file: str | os.PathLike) -> str:
    """How run.json names the project: its file's absolute path."""
    return str(Path(project_file).resolve())


def read_manifest(folder: str | os.PathLike) -> dict[str, Any] | None:
    """The run.json in ``folder``, or None when there is none or it is not a manifest."""
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
