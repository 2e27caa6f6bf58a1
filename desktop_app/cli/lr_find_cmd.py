"""``backprop-studio lr-find PROJECT``: the learning-rate range test, its suggestion and its curve.

Sweeps the learning rate exponentially over about a hundred mini-batches of the project's training
data (``desktop_app.engine.lr_range``), prints the suggested rate and writes the curve as CSV
(``step,learning_rate,loss,smoothed_loss``) to ``-o/--output``, by default
``<project name>.lr-range.csv`` in the current folder. The output may not be a file the command reads.
Exits 1 when the curve is too short to suggest a rate.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

from ..engine.lr_range import RangeTest
from ..fileio import atomic_write_text
from ..plugin_system import current_registry
from ..project import PROJECT_SUFFIX, RunOverrides, build_run, load_project
from ..project.checks import SUGGESTION_RULE, range_summary, range_test
from .errors import CliError, require_at_least
from .inputs import project_inputs, refuse_overwrite, refuse_run_files
from .locations import PROJECT_HELP, project_file
from .outputs import check_output_file
from .parsing import examples

CURVE_SUFFIX = ".lr-range.csv"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lr-find", help="suggest a learning rate with a learning-rate range test; write its curve as CSV",
        description="Train about a hundred mini-batches while the learning rate grows from 1e-7 to 10, "
        "stop when the smoothed loss runs away, and suggest a rate half-way down the longest stretch where "
        "the smoothed loss keeps falling. "
        "The project and its weights are not changed.",
        epilog=examples(("lr-find digits_mlp", "suggestion; curve in digits_mlp.lr-range.csv"),
                        ("lr-find my.bps.json -o curve.csv", "the curve where you want it")),
    )
    parser.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    parser.add_argument("-o", "--output", metavar="CSV",
                        help=f"where to write the curve (default: <project name>{CURVE_SUFFIX} here)")
    parser.add_argument("--seed", type=int, metavar="S",
                        help="seed of the initial weights and of the batches (default: the project's)")
    parser.set_defaults(func=run_lr_find)


def run_lr_find(args: argparse.Namespace) -> int:
    require_at_least("--seed", args.seed, 0)
    registry = current_registry()
    project_path = project_file(args.project)
    project = load_project(project_path)
    output = Path(args.output) if args.output else Path(_stem(project_path) + CURVE_SUFFIX)
    if output.suffix.lower() != ".csv":
        raise CliError(f"-o/--output must end in .csv. Received: {output.name}")
    check_output_file(output)
    refuse_overwrite({output: f"-o/--output {output}"}, project_inputs(project, registry))
    refuse_run_files(output)
    run = build_run(project, RunOverrides(seed=args.seed), registry=registry)
    test = range_test(run)
    atomic_write_text(output, curve_csv(test))
    print(range_summary(test, run))
    print(f"curve: {output}")
    if test.suggestion is None:
        print(f"no suggestion: the loss ran away after {len(test.rates)} step(s), too few to read a curve "
              "from; check the model with 'backprop-studio check'")
        return 1
    print(f"suggested learning rate: {test.suggestion:.3g} ({SUGGESTION_RULE})")
    return 0


def curve_csv(test: RangeTest) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["step", "learning_rate", "loss", "smoothed_loss"])
    points = zip(test.rates, test.losses, test.smoothed, strict=True)
    for step, (rate, loss, smoothed) in enumerate(points, start=1):
        writer.writerow([step, f"{rate:.6g}", f"{loss:.6g}", f"{smoothed:.6g}"])
    return buffer.getvalue()


def _stem(path: Path) -> str:
    return path.name.removesuffix(PROJECT_SUFFIX).removesuffix(".json")
