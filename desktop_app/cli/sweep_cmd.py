"""``backprop-studio sweep PROJECT --set NAME=V1,V2 ...``: train every config, write a results CSV.

Each config trains from fresh weights and is kept as a run of the project
(``desktop_app.project.sweep``); the CSV (one row per config: its values, status, best metric,
run folder) is rewritten whole after each config, so an interrupted sweep leaves the rows of the
configs it finished. Ctrl-C stops the current config (kept as stopped) and ends the sweep.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..engine.control import TrainingControl
from ..fileio import atomic_write_text
from ..plugin_system import current_registry
from ..project import load_project
from ..project.run_store import runs_root
from ..project.sweep import (
    MAX_CONFIGS,
    SweepError,
    check_configs,
    configs,
    describe,
    parse_axis,
    result_row,
    results_csv,
    train_config,
)
from .errors import EXIT_INTERRUPTED, CliError, require_at_least
from .inputs import project_inputs, refuse_overwrite
from .interrupts import stop_on_interrupt
from .kept_runs import format_best, shown
from .locations import PROJECT_HELP, project_file
from .parsing import examples


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sweep", help="train a project with several values of a few settings; a results CSV",
        description=f"Train the project once per config (every combination of the values given, or "
        f"--random N of them; at most {MAX_CONFIGS}), one after another, each from fresh weights and "
        "kept as a run; then write one CSV row per config.",
        epilog=examples(
            ("sweep spiral_mlp --set training.optimizer.learning_rate=1e-3,1e-2 "
             "--set training.batch_size=32,64", "4 configs"),
            ("sweep my.bps.json --set model.hidden_1.units=8,16,32,64 --random 2", "2 of the 4"),
            ("sweep my.bps.json --set training.optimizer=sgd,adam -o results.csv", "the CSV's name")),
    )
    parser.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    parser.add_argument("--set", dest="axes", metavar="NAME=V1,V2", action="append", required=True,
                        help="a setting and its values, e.g. training.optimizer.learning_rate=1e-3,1e-2 "
                        "(repeat for more settings; 'runs show RUN' lists every setting's name)")
    parser.add_argument("--random", type=int, metavar="N", help="train N configs drawn from the grid")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="seed of --random's draw")
    parser.add_argument("--epochs", type=int, metavar="N", help="epochs per config (default: the project's)")
    parser.add_argument("-o", "--output", metavar="CSV",
                        help="the results file (default: sweep-<time>.csv in the project's runs folder)")
    parser.add_argument("--quiet", action="store_true", help="no line per config")
    parser.set_defaults(func=run_sweep)


def run_sweep(args: argparse.Namespace) -> int:
    require_at_least("--epochs", args.epochs, 1)
    path = project_file(args.project)
    project = load_project(path)
    if args.epochs is not None:
        project.training.epochs = args.epochs
    registry = current_registry()
    try:
        sweep = configs([parse_axis(text) for text in args.axes], args.random, args.seed)
        projects = check_configs(project, registry, sweep)
    except SweepError as error:
        raise CliError(str(error)) from None
    default = runs_root(project) / time.strftime("sweep-%Y%m%d-%H%M%S.csv")
    output = Path(args.output) if args.output else default
    refuse_overwrite({output: f"-o {output}"}, project_inputs(project, registry))
    output.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    control = TrainingControl()
    with stop_on_interrupt(control):
        for index, (config, trained) in enumerate(zip(sweep, projects, strict=True), start=1):
            run = train_config(trained, registry, control=control)
            rows.append(result_row(config, run))
            atomic_write_text(output, results_csv(rows))
            if not args.quiet:
                print(f"config {index}/{len(sweep)}: {describe(config)}  {run.status}  "
                      f"{format_best(run.best)}", file=sys.stderr)
            if control.stop_requested:
                print(f"interrupted after {index} of {len(sweep)} configs; results: {shown(output)}",
                      file=sys.stderr)
                return EXIT_INTERRUPTED
    print(f"results: {shown(output)} ({len(rows)} configs)")
    return 0
