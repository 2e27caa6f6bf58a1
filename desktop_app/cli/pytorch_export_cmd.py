"""``backprop-studio export PROJECT --format pytorch -o DIR``: the project as PyTorch training code.

The weights are ``--weights FILE``, else the project's latest trained ones, else (or with
``--initial``) its initial weights from its seed. Everything is made and checked before the folder
is written (``desktop_app.project.pytorch_export``); no file written may be one the export reads.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..plugin_system import current_registry
from ..project import load_project
from ..project.exporting import load_trained, project_title
from ..project.pytorch_export import pytorch_project_files, write_pytorch_project
from .errors import CliError
from .inputs import project_inputs, refuse_overwrite, weights_inputs
from .locations import latest_weights, project_file

FORMAT = "pytorch"


def run_pytorch_export(args: argparse.Namespace) -> int:
    if args.raw:
        raise CliError("--raw is for ONNX exports; the pytorch format writes a training project")
    if args.initial and args.weights:
        raise CliError("--initial exports the initial weights: leave out --weights FILE, or --initial")
    registry = current_registry()
    output = Path(args.output)
    project_path = project_file(args.project)
    project = load_project(project_path)
    weights_path = None if args.initial else _weights(args.weights, project, project_path, args.project)
    inputs = {**project_inputs(project, registry), **(weights_inputs(weights_path) if weights_path else {})}
    trained = load_trained(project, weights_path, registry) if weights_path else None
    files = pytorch_project_files(project, registry, trained.model.get_weights() if trained else None)
    refuse_overwrite({output / name: f"-o/--output {output}" for name in files}, inputs,
                     remedy="choose another folder")
    write_pytorch_project(output, files, inputs)
    which = f"the weights {weights_path}" if weights_path else "the initial weights (the project's seed)"
    print(f"exported {project_title(project)} as a PyTorch project to {output}, with {which}")
    print(f"train it: cd {output} && python train.py  (README.md says more)")
    return 0


def _weights(option: str | None, project, project_path: Path, given: str) -> Path | None:
    """``--weights``, else the latest trained weights, else None (the initial weights)."""
    if option is not None:
        return Path(option)
    try:
        return latest_weights(project, project_path, given)
    except CliError:  # never trained
        return None
