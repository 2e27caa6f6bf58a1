"""``backprop-studio check PROJECT``: the sanity checks worth a few seconds before a long run.

Prints the loss of the untrained network beside the value it should start near, and whether the
network drives the loss on a small batch to near zero with regularization off
(``desktop_app.engine.sanity``). Exits 1 when a check fails. The learning-rate range test is its
own command, ``lr-find``.
"""

from __future__ import annotations

import argparse

from ..plugin_system import current_registry
from ..project import RunOverrides, build_run, load_project
from ..project.checks import initial_loss_line, overfit_line, sanity_checks
from .errors import require_at_least
from .locations import PROJECT_HELP, project_file
from .parsing import examples


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="sanity checks before a long run: loss at initialization, overfit one small batch",
        description="Compare the untrained network's loss with the value it should start near, and "
        "check that it can drive the loss on a few samples to near zero with regularization off; "
        "exit 1 if a check fails. The project and its weights are not changed.",
        epilog=examples(("check digits_cnn", "both checks on a shipped example"),
                        ("check my.bps.json --seed 3", "with other initial weights")),
    )
    parser.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    parser.add_argument("--seed", type=int, metavar="S",
                        help="seed of the initial weights and of the samples (default: the project's)")
    parser.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    require_at_least("--seed", args.seed, 0)
    project = load_project(project_file(args.project))
    report = sanity_checks(build_run(project, RunOverrides(seed=args.seed), registry=current_registry()))
    print(initial_loss_line(report.initial_loss))
    print(overfit_line(report.overfit))
    print("ok: both checks pass" if report.ok else "FAILED: see above")
    return 0 if report.ok else 1
