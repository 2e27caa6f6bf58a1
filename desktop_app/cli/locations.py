"""Where a command finds its project and its trained weights, and where a run's results go.

PROJECT may name a shipped example (``spiral_mlp``); a real file of that name wins. A run's
results go to ``runs/<project name>/`` beside the project when its folder is writable and not part
of the installed package; otherwise (a shipped example, a read-only folder) under the current
folder, so nothing is ever written into site-packages. ``predict`` and ``export`` look for
weights where ``train`` puts them.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..paths import PACKAGE_DIR, RESOURCES
from ..project import EXAMPLES, PROJECT_SUFFIX, Project, example_path
from ..project.run_outputs import RUN_FILES, project_identity, read_manifest
from ..project.run_outputs import WEIGHTS as WEIGHTS_FILE
from .errors import CliError

RUNS_FOLDER = "runs"
PROJECT_HELP = "a project file (.bps.json), or the name of a shipped example (see 'backprop-studio examples')"
WEIGHTS_HELP = (f"trained weights (.npz or .safetensors); default: the latest run of PROJECT ({RUNS_FOLDER}/"
                f"<project name>/{WEIGHTS_FILE}, where 'train' writes it, or the weights the window saved "
                "with the project, whichever is newer)")


def project_file(given: str) -> Path:
    """The project file PROJECT names: a file of that name, else the shipped example so named."""
    path = Path(given)
    if path.is_file():
        return path
    if given in EXAMPLES:
        return example_path(given)
    if not path.exists() and path.parent == Path(".") and not path.suffix:
        raise CliError(f"{given}: no such project file or shipped example; "
                       "'backprop-studio examples' lists the examples")
    return path  # loading it names the problem


def run_folder(project: Path) -> Path:
    """The default folder of a run's results: beside the project when that is allowed, else here."""
    name = project.name.removesuffix(PROJECT_SUFFIX).removesuffix(".json")
    if can_hold_runs(project.parent):
        return project.parent / RUNS_FOLDER / name
    return Path(RUNS_FOLDER) / name


def can_hold_runs(folder: Path) -> bool:
    """A folder we may write runs into: writable, and not inside the installed package."""
    resolved = folder.resolve()
    if any(resolved.is_relative_to(root.resolve()) for root in (PACKAGE_DIR, RESOURCES)):
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def run_outputs(out: Path) -> dict[Path, str]:
    """The files ``train`` writes into ``out``, each with how the user chose it."""
    return {out / name: f"--out {out} would replace {out / name}" for name in RUN_FILES}


def chosen_weights(option: str | None, project: Project, project_path: Path, given: str) -> Path:
    """The ``--weights`` file, or else the project's latest weights, which are then printed."""
    if option is not None:
        return Path(option)
    weights = latest_weights(project, project_path, given)
    print(f"weights: {weights} (the latest run of {given}; --weights FILE chooses others)")
    return weights


def latest_weights(project: Project, project_path: Path, given: str) -> Path:
    """The newest of the default run's weights and those the project file records (from the window).

    ``given`` is PROJECT as typed, for the hint to train first.
    """
    folder = run_folder(project_path)
    run = folder / WEIGHTS_FILE
    recorded = project.weights_path()
    found = [path for path in (recorded,) if path is not None and path.is_file()]
    other = run_of_another_project(folder, project_path)
    if run.is_file() and other is None:
        found.append(run)
    if not found:
        looked = (f"{folder} holds a run of another project ({other})" if other is not None
                  else f"looked for {run}")
        raise CliError(f"{project.label}: the project has no trained weights yet ({looked}); "
                       f"train it first ('backprop-studio train {given}') or pass --weights FILE")
    return max(found, key=lambda path: path.stat().st_mtime)


def run_of_another_project(folder: Path, project_path: Path) -> str | None:
    """The project whose run ``folder`` holds, when that is not ``project_path`` (two projects of
    one name, such as a shipped example and its copy, share ``runs/<name>/``); else None."""
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("project") == project_identity(project_path):
        return None
    return str(manifest.get("project"))
