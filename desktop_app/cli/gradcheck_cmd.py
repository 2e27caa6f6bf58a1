"""``backprop-studio gradcheck PROJECT``: the engine's finite-difference check over the project's model.

Runs ``desktop_app.engine.gradcheck.check_model_gradients`` in float64 on a few training samples
(scaled and with targets shaped exactly as training would see them) and prints one row per layer,
the largest relative error of its parameter gradients and of its input gradient, then a row for
the loss, the error of its dL/dpred; each with its CS231n grade. Exits 1 when a row exceeds the
tolerance.
"""

from __future__ import annotations

import argparse

from ..engine.gradcheck import DEFAULT_TOLERANCE, ModelGradRow, check_model_gradients
from ..plugin_system import current_registry
from ..project import RunOverrides, build_run, load_project
from .errors import CliError, require_at_least
from .locations import PROJECT_HELP, project_file
from .parsing import examples


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gradcheck", help="check the model's gradients against finite differences, layer by layer "
        "and the loss",
        description="Compare every layer's analytic gradients, and the loss's, with central finite "
        "differences (float64) on a few samples of the project's data; exit 1 if a row fails.",
        epilog=examples(("gradcheck my.bps.json", "fresh weights, 4 samples"),
                        ("gradcheck my.bps.json --weights runs/my/weights.npz --max-entries 0",
                         "trained weights, every entry")),
    )
    parser.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    parser.add_argument("--samples", type=int, default=4, metavar="N", help="samples to check on (default 4)")
    parser.add_argument("--weights", metavar="FILE",
                        help="check at these weights (.npz or .safetensors) instead of fresh ones")
    parser.add_argument("--seed", type=int, metavar="S",
                        help="seed of the initial weights and of the validation split, which decides "
                        "the training samples checked (default: the project's)")
    parser.add_argument("--max-entries", type=int, default=32, metavar="K",
                        help="entries checked per parameter array, drawn at random (default 32; 0: all)")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE, metavar="T",
                        help=f"largest relative error that passes (default {DEFAULT_TOLERANCE:g})")
    parser.set_defaults(func=run_gradcheck)


def run_gradcheck(args: argparse.Namespace) -> int:
    require_at_least("--samples", args.samples, 1)
    if args.max_entries < 0:
        raise CliError(f"--max-entries must be 0 (all) or more. Received: {args.max_entries}")
    require_at_least("--seed", args.seed, 0)
    if not args.tolerance > 0:
        raise CliError(f"--tolerance must be positive. Received: {args.tolerance}")
    project = load_project(project_file(args.project))
    run = build_run(project, RunOverrides(seed=args.seed, weights=args.weights),
                    registry=current_registry())
    count = min(args.samples, len(run.data.x_train))
    rows = check_model_gradients(
        run.model, run.data.x_train[:count], run.data.y_train[:count], run.loss,
        max_entries=args.max_entries or None, tolerance=args.tolerance,
    )
    print(f"gradient check of {project.name or args.project} on {count} sample(s), float64, "
          f"tolerance {args.tolerance:g}")
    print(format_table(rows))
    failed = [row.node for row in rows if not row.ok]
    if failed:
        if not rows[-1].ok:
            print("the loss's backward disagrees with its forward; the layer rows do not depend on it "
                  "(their check starts from the finite-difference dL/dpred)")
        print(f"FAILED: {', '.join(failed)}")
        return 1
    print(f"ok: all {len(rows) - 1} layers and the loss pass")
    return 0


def format_table(rows: list[ModelGradRow]) -> str:
    """The layer rows and the loss row, aligned; the loss's INPUT is its dL/dpred."""
    table = [("NODE", "TYPE", "PARAMS", "INPUT", "GRADE", "STATUS")]
    for row in rows:
        table.append((row.node, row.type, _error(row.params_error), _error(row.input_error),
                      row.grade or "-", "ok" if row.ok else "FAILED"))
    widths = [max(len(line[column]) for line in table) for column in range(len(table[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
                     for line in table)


def _error(value: float | None) -> str:
    return "-" if value is None else f"{value:.2e}"
