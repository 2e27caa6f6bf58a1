"""``backprop-studio export PROJECT [--weights FILE] [--format onnx|npz|safetensors] -o FILE``.

Builds the project's network, loads the trained weights into it (.npz or .safetensors; by default
the project's latest run) and writes it through the chosen exporter: a built-in one or a plugin's.
The format defaults to the one whose suffix the output file has. Everything it reads is checked
before the output is written, and the output may not be one of those files.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..engine.errors import GraphError
from ..export import Exporter, load_weights
from ..plugin_manager import current_registry
from ..project import Preprocessing, build_model, load_preprocessing, load_project, sidecar_path
from .errors import CliError
from .inputs import project_inputs, refuse_overwrite, weights_inputs
from .locations import PROJECT_HELP, WEIGHTS_HELP, chosen_weights, project_file
from .outputs import check_output_file
from .parsing import examples


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="write trained weights as ONNX, .npz or safetensors",
        description="Export a project's trained network for other tools: ONNX (opset 17) for "
        "inference engines, or the weights alone as .npz or safetensors, keyed node/param.",
        epilog=examples(("export my.bps.json --weights runs/my/weights.npz -o my.onnx",
                         "ONNX, from the suffix"),
                        ("export my.bps.json --weights runs/my/weights.npz -o my.safetensors",
                         "the weights alone")),
    )
    parser.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    parser.add_argument("--weights", metavar="FILE", help=WEIGHTS_HELP)
    parser.add_argument("--format", metavar="FORMAT",
                        help="onnx, npz, safetensors or a plugin's format (any case); "
                        "default: from the output suffix")
    parser.add_argument("-o", "--output", metavar="FILE", required=True, help="the file to write")
    parser.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    registry = current_registry()
    output = Path(args.output)
    exporter_cls = choose_exporter(registry.exporters, args.format, output)
    check_output_file(output)
    project_path = project_file(args.project)
    project = load_project(project_path)
    weights_path = chosen_weights(args.weights, project, project_path, args.project)
    refuse_overwrite({output: "-o/--output"}, {**weights_inputs(weights_path),
                                               **project_inputs(project, registry)})
    weights = load_weights(weights_path)
    model = build_model(project, registry)
    try:
        model.set_weights(weights)
    except GraphError as error:
        raise CliError(f"{weights_path}: {error}") from None
    preprocessing = load_preprocessing(weights_path)  # a corrupt record fails here, before writing
    exporter_cls().export(model, output, registry=registry)
    print(f"exported {project.name or project_path.name} ({model.parameter_count()} parameters) "
          f"as {exporter_cls.type_name} to {output}")
    _note_input_scaling(preprocessing, weights_path)
    return 0


def _note_input_scaling(preprocessing: Preprocessing | None, weights_path: Path) -> None:
    """The export holds the network only: say so when its inputs were scaled in training."""
    if preprocessing is None:
        return
    scaler = preprocessing.scaler
    if np.any(scaler.offset != 0) or np.any(scaler.scale != 1):
        print(f"note: the model expects inputs scaled as in training, (x - offset) / scale; "
              f"offset and scale are in {sidecar_path(weights_path)}")


def choose_exporter(exporters: Mapping[str, type[Exporter]], fmt: str | None, output: Path) -> type[Exporter]:
    """The exporter named by ``fmt`` (in any case), or else the one whose suffix ``output`` ends with.

    A suffix that belongs to another format than ``fmt`` is refused: a zip named ``.onnx`` would
    mislead every tool that opens it.
    """
    by_suffix = [cls for cls in exporters.values() if _has_suffix(output, cls)]
    if fmt is None:
        if not by_suffix:
            raise CliError(f"cannot tell the export format from the file name '{output.name}': "
                           f"pass --format, one of {sorted(exporters)}")
        return by_suffix[0]
    chosen = _exporter_named(exporters, fmt)
    if by_suffix and chosen not in by_suffix:
        other = by_suffix[0]
        expected = f"a file name ending in '{chosen.suffix}'" if chosen.suffix else "another file name"
        raise CliError(f"-o {output}: the suffix '{other.suffix}' is the {other.type_name} format's, but "
                       f"--format is {chosen.type_name}. Expected {expected}, or --format {other.type_name}")
    return chosen


def _exporter_named(exporters: Mapping[str, type[Exporter]], fmt: str) -> type[Exporter]:
    if fmt in exporters:
        return exporters[fmt]
    for name in sorted(exporters):
        if name.casefold() == fmt.casefold():
            return exporters[name]
    raise CliError(f"unknown export format. Expected one of {sorted(exporters)}. Received: {fmt!r}")


def _has_suffix(output: Path, exporter: type[Exporter]) -> bool:
    return bool(exporter.suffix) and output.name.lower().endswith(exporter.suffix.lower())
