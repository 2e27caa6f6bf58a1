"""Where a command finds its project, its trained weights and its kept runs.

PROJECT may name a shipped example (``spiral_mlp``); a real file of that name wins. Each run is
kept in its own folder under ``runs/<project name>/`` beside the project when its folder is
writable and not part of the installed package; otherwise (a shipped example, a read-only
folder) under the user's data folder, so nothing is ever written into site-packages
(``desktop_app.project.run_store``). ``predict`` and ``export`` take the newest run's weights.
"""

from __future__ import annotations

from pathlib import Path

from ..project import EXAMPLES, Project, example_path
from ..project.run_outputs import RUN_FILES, project_identity, read_manifest
from ..project.run_outputs import WEIGHTS as WEIGHTS_FILE
from ..project.run_store import RUNS_FOLDER, runs_of, runs_root
from .errors import CliError
from .kept_runs import shown

PROJECT_HELP = "a project file (.bps.json), or the name of a shipped example (see 'backprop-studio examples')"
WEIGHTS_HELP = (f"trained weights (.npz or .safetensors); default: the newest kept run of PROJECT "
                f"({RUNS_FOLDER}/<project name>/<run>/{WEIGHTS_FILE}, where 'train' keeps it, or the "
                "weights the window saved with the project, whichever is newer)")


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


def run_outputs(out: Path) -> dict[Path, str]:
    """The files ``train`` writes into ``out``, each with how the user chose it."""
    return {out / name: f"--out {out} would replace {out / name}" for name in RUN_FILES}


def chosen_weights(option: str | None, project: Project, project_path: Path, given: str) -> Path:
    """The ``--weights`` file, or else the project's latest weights, which are then printed."""
    if option is not None:
        return Path(option)
    weights = latest_weights(project, project_path, given)
    print(f"weights: {shown(weights)} (the latest run of {given}; --weights FILE chooses others)")
    return weights


def latest_weights(project: Project, project_path: Path, given: str) -> Path:
    """The newest of the kept runs' weights and those the project file records (from the window).

    ``given`` is PROJECT as typed, for the hint to train first.
    """
    root = runs_root(project)
    recorded = project.weights_path()
    found = [path for path in (recorded,) if path is not None and path.is_file()]
    runs = [run.weights_path for run in runs_of(project)]
    found += [path for path in runs if path is not None and path.is_file()]
    legacy = root / WEIGHTS_FILE  # the one run ``train`` kept there before every run was kept
    if legacy.is_file() and run_of_another_project(root, project_path) is None:
        found.append(legacy)
    if not found:
        raise CliError(f"{project.label}: the project has no trained weights yet (no run with weights in "
                       f"{shown(root)}); train it first ('backprop-studio train {given}') or pass "
                       "--weights FILE")
    return max(found, key=lambda path: path.stat().st_mtime)


def run_of_another_project(folder: Path, project_path: Path) -> str | None:
    """The project whose run ``folder`` holds, when that is not ``project_path`` (two projects of
    one name, such as a shipped example and its copy, share ``runs/<name>/``); else None."""
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("project") == project_identity(project_path):
        return None
    return str(manifest.get("project"))
