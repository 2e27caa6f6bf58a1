"""``backprop-studio runs list PROJECT``, ``runs show RUN``, ``runs delete RUN...``: the kept runs.

Every ``train`` (and every run in the window) keeps a folder of its own
(``desktop_app.project.run_store``); these commands list them, show one, and delete them, which
happens only when asked.
"""

from __future__ import annotations

import argparse
import json

from ..project import load_project
from ..project.run_store import KeptRun, delete_run, runs_of, runs_root
from ..project.setting_keys import format_value
from .kept_runs import RUN_HELP, chosen_run, format_best, format_seconds, shown
from .locations import PROJECT_HELP, project_file
from .parsing import examples

# The settings a table shows for every run (the rest: ``runs show``).
KEY_SETTINGS = ("training.optimizer", "training.optimizer.learning_rate", "training.batch_size",
                "training.epochs", "training.seed")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "runs", help="list, show or delete a project's kept training runs",
        description="Every training run is kept in a folder of its own beside the project (or in the "
        "user's data folder for a shipped example or a read-only project).",
        epilog=examples(("runs list my.bps.json", "one line per run"),
                        ("runs list my.bps.json --json", "the same as JSON"),
                        ("runs show runs/my/20261205-083012-3fa1", "everything about one run"),
                        ("runs delete runs/my/20261205-083012-3fa1", "delete it")),
    )
    actions = parser.add_subparsers(dest="runs_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the project's runs, oldest first")
    listing.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(func=run_list)
    show = actions.add_parser("show", help="one run: status, settings, best metric, files")
    show.add_argument("run", metavar="RUN", help=RUN_HELP)
    show.set_defaults(func=run_show)
    delete = actions.add_parser("delete", help="delete runs (their folders and everything in them), "
                                "broken ones too")
    delete.add_argument("runs", metavar="RUN", nargs="+", help=RUN_HELP)
    delete.set_defaults(func=run_delete)


def run_list(args: argparse.Namespace) -> int:
    path = project_file(args.project)
    project = load_project(path)
    runs = runs_of(project)
    if args.json:
        print(json.dumps([run.summary() for run in runs], indent=1))
        return 0
    if not runs:
        print(f"no runs of {args.project} yet (they are kept in {runs_root(project)})")
        return 0
    readable = [run for run in runs if not run.broken]
    if readable:
        print_table([table_row(run) for run in readable])
    for run in runs:
        if run.broken:
            print(f"broken: {run.problem} ('runs delete' removes it)")
    print(f"({len(runs)} run(s) in {runs_root(project)})")
    return 0


def table_row(run: KeptRun) -> dict[str, str]:
    settings = run.settings
    row = {"RUN": str(shown(run.folder)), "NAME": run.notes.get("name", ""),
           "STARTED": str(run.manifest.get("started", ""))[:19].replace("T", " "),
           "TIME": format_seconds(run.manifest.get("seconds")), "STATUS": run.status,
           "EPOCHS": str(run.manifest.get("epochs_completed", "")), "BEST": format_best(run.best)}
    row.update({key.removeprefix("training."): format_value(settings.get(key)) for key in KEY_SETTINGS})
    return row


def print_table(rows: list[dict[str, str]]) -> None:
    widths = {column: max(len(column), *(len(row[column]) for row in rows)) for column in rows[0]}
    print("  ".join(column.ljust(width) for column, width in widths.items()).rstrip())
    for row in rows:
        print("  ".join(row[column].ljust(width) for column, width in widths.items()).rstrip())


def run_show(args: argparse.Namespace) -> int:
    run = chosen_run(args.run)
    manifest = run.manifest
    lines = [("run", str(run.folder)), ("name", run.notes.get("name", "")),
             ("note", run.notes.get("note", "")),
             ("status", run.status), ("started", str(manifest.get("started"))),
             ("duration", format_seconds(manifest.get("seconds"))), ("source", str(manifest.get("source"))),
             ("epochs", str(manifest.get("epochs_completed"))), ("best", format_best(run.best)),
             ("resumed from", str(manifest.get("resumed_from") or "-")),
             ("app version", str(manifest.get("app_version"))),
             ("health", json.dumps(manifest.get("health"))), ("error", str(manifest.get("error") or "-")),
             ("files", ", ".join(manifest.get("files", {})))]
    width = max(len(name) for name, _ in lines)
    for name, value in lines:
        print(f"{name:<{width}}  {value}")
    print("settings:")
    for key, value in run.settings.items():
        print(f"  {key} = {format_value(value)}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    # every RUN checked before any is deleted; a broken run can be deleted too
    runs = [chosen_run(given, broken=True) for given in args.runs]
    for run in runs:
        delete_run(run)
        print(f"deleted {run.folder}")
    return 0

