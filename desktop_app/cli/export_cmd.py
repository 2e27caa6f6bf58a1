"""``backprop-studio export PROJECT [--weights FILE] [--format onnx|npz|safetensors] [--raw] -o FILE``.

Builds the project's network, loads the trained weights into it (.npz or .safetensors; by default
the project's latest run) and writes it through the chosen exporter: a built-in one or a plugin's.
The format defaults to the one whose suffix the output file has. ONNX is the deployable graph
(raw inputs in, ``predict``'s answers out) unless ``--raw`` (``desktop_app.project.exporting``).
Everything it reads is checked before the output is written, and the output may not be one of
those files.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from ..export import Exporter, OnnxExporter
from ..plugin_system import current_registry
from ..project import load_project
from ..project.exporting import export_trained, load_trained
from .errors import CliError
from .inputs import project_inputs, refuse_overwrite, refuse_run_files, weights_inputs
from .locations import PROJECT_HELP, WEIGHTS_HELP, chosen_weights, project_file
from .outputs import check_output_file
from .parsing import examples
from .pytorch_export_cmd import FORMAT as PYTORCH
from .pytorch_export_cmd import run_pytorch_export


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="write trained weights as ONNX, .npz or safetensors",
        description="Export a project's trained network for other tools: ONNX (opset 17) for "
        "inference engines, taking raw inputs and answering as predict does (--raw: the network "
        "alone), the weights alone as .npz or safetensors, keyed node/param, or (--format pytorch) "
        "a PyTorch project that trains as the app does.",
        epilog=examples(("export my.bps.json --weights runs/my/weights.npz -o my.onnx",
                         "ONNX, from the suffix"),
                        ("export my.bps.json --weights runs/my/weights.npz --raw -o net.onnx",
                         "the network alone: scaled inputs in, its outputs out"),
                        ("export my.bps.json --weights runs/my/weights.npz -o my.safetensors",
                         "the weights alone"),
                        ("export my.bps.json --format pytorch -o my-pytorch",
                         "PyTorch training code, data and weights (needs torch)")),
    )
    parser.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    parser.add_argument("--weights", metavar="FILE", help=WEIGHTS_HELP)
    parser.add_argument("--format", metavar="FORMAT",
                        help="onnx, npz, safetensors, pytorch (a training project, in folder -o) or a "
                        "plugin's format (any case); default: from the output suffix")
    parser.add_argument("--raw", action="store_true",
                        help="ONNX only: the network alone, taking inputs scaled as in training and "
                        "ending at its outputs (default: the graph takes raw inputs, as predict does, "
                        "and outputs logits and probabilities, or values)")
    parser.add_argument("--initial", action="store_true",
                        help="pytorch only: the project's initial weights (its seed), not trained ones")
    parser.add_argument("-o", "--output", metavar="FILE", required=True,
                        help="the file to write (the folder, for pytorch)")
    parser.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    if (args.format or "").casefold() == PYTORCH:
        return run_pytorch_export(args)
    if args.initial:
        raise CliError("--initial is for the pytorch format; other formats write trained weights")
    registry = current_registry()
    output = Path(args.output)
    exporter_cls = choose_exporter(registry.exporters, args.format, output)
    if args.raw and not issubclass(exporter_cls, OnnxExporter):
        raise CliError(f"--raw is for ONNX exports; the {exporter_cls.type_name} format holds the "
                       "weights alone")
    check_output_file(output)
    project_path = project_file(args.project)
    project = load_project(project_path)
    weights_path = chosen_weights(args.weights, project, project_path, args.project)
    refuse_overwrite({output: f"-o/--output {output}"}, {**weights_inputs(weights_path),
                                                          **project_inputs(project, registry)})
    refuse_run_files(output)
    trained = load_trained(project, weights_path, registry)
    note = export_trained(exporter_cls, trained, output, registry, raw=args.raw)
    print(f"exported {trained.project_name} ({trained.model.parameter_count()} parameters) "
          f"as {exporter_cls.type_name} to {output}")
    if note:
        print(f"note: {note}")
    return 0


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
    known = sorted([*exporters, PYTORCH])
    raise CliError(f"unknown export format. Expected one of {known}. Received: {fmt!r}")


def _has_suffix(output: Path, exporter: type[Exporter]) -> bool:
    return bool(exporter.suffix) and output.name.lower().endswith(exporter.suffix.lower())
