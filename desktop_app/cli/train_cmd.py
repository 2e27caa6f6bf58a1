"""``backprop-studio train PROJECT``: train headless with a progress bar, save weights and history.

Every run is kept in a new folder of the project's runs (``desktop_app.project.run_store``):
``weights.npz`` (keyed ``node/param``), ``weights.data.json`` (the input scaler and class names
``predict`` needs), ``history.csv`` (one row per epoch), the project snapshot and ``run.json``,
written whole or not at all. ``--from RUN`` starts from a kept run's weights. ``--out DIR``
instead replaces the run files in DIR as one set: however the command ends, DIR holds the
previous run's files or this run's, never a mix, and no output may replace a file the run reads
(``--weights``, the project, its data). The project file itself is not changed. The first
Ctrl-C stops the run after the current batch and saves the weights of the last completed epoch
(exit code 130); a second one aborts and saves nothing. A NaN or infinite loss saves the last
finite weights and the history so far, then fails; a run that fails otherwise is kept as failed
(with no weights). A run that could not start leaves nothing behind.
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..engine.callbacks import BatchEvent, EpochEvent, History, RunInfo, RunResult
from ..engine.control import TrainingControl
from ..engine.errors import NonFiniteLossError
from ..engine.graph import Model
from ..engine.health import HealthMonitor
from ..file_set import FileSetError
from ..plugin_system import current_registry
from ..project import Project, ProjectError, Run, RunOverrides, build_run, load_project
from ..project.gradient_norms import EpochGradientNorms
from ..project.history import history_summary
from ..project.run_outputs import (
    HISTORY,
    WEIGHTS,
    check_run_folder,
    save_run,
)
from ..project.run_store import KeptRun, describe_run, keep_run, runs_root
from ..project.suspect_plugins import suspect_uses
from ..registry import Registry
from .errors import EXIT_INTERRUPTED, CliError, require_at_least
from .health_report import add_health_option, report_health, report_stream
from .inputs import project_inputs, refuse_overwrite, weights_inputs
from .interrupts import stop_on_interrupt
from .kept_runs import RUN_HELP, chosen_run, shown
from .locations import (
    PROJECT_HELP,
    RUNS_FOLDER,
    project_file,
    run_of_another_project,
    run_outputs,
)
from .parsing import examples

Weights = dict[str, np.ndarray]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train", help="train a project headless and save its weights and metric history",
        description="Train a project without the window: a progress bar on stderr, then the trained "
        "weights, their preprocessing record and the metric history (CSV) in --out.",
        epilog=examples(("train my.bps.json", f"a new run kept in {RUNS_FOLDER}/my/<run>/ beside it"),
                        ("train my.bps.json --epochs 50 --lr 0.01 --seed 1", "other settings"),
                        ("train my.bps.json --from runs/my/20261205-083012-3fa1",
                         "go on from a kept run's weights"),
                        ("train my.bps.json --weights runs/my/weights.npz --out runs/my-more",
                         "go on from trained weights, results in one folder")),
    )
    parser.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    parser.add_argument("--epochs", type=int, metavar="N", help="epochs to train (default: the project's)")
    parser.add_argument("--batch-size", type=int, metavar="B",
                        help="mini-batch size (default: the project's)")
    parser.add_argument("--lr", type=float, metavar="X", help="learning rate (default: the optimizer's)")
    parser.add_argument("--seed", type=int, metavar="S",
                        help="seed of the initial weights, the split and the shuffles "
                        "(default: the project's)")
    parser.add_argument("--weights", metavar="FILE",
                        help="start from these weights (.npz or .safetensors) instead of fresh ones")
    parser.add_argument("--from", dest="from_run", metavar="RUN",
                        help=f"start from the weights of this kept run ({RUN_HELP})")
    parser.add_argument("--no-shuffle", action="store_true", help="keep the training samples in order")
    parser.add_argument("--out", metavar="DIR",
                        help=f"replace the run files in DIR instead of keeping a new run (default: a new "
                        f"folder in {RUNS_FOLDER}/<project name>/ beside the project file, or in the user's "
                        "data folder when the project's folder is not writable or is a shipped example's)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_health_option(parser)
    parser.set_defaults(func=run_train)


def run_train(args: argparse.Namespace) -> int:
    check_arguments(args)
    project_path = project_file(args.project)
    project = load_project(project_path)
    registry = current_registry()
    from_run = chosen_run(args.from_run, "--from") if args.from_run else None
    start_weights = args.weights if from_run is None else from_run_weights(from_run)
    out = Path(args.out) if args.out else None
    if out is not None:
        check_out_dir(out)
        inputs = weights_inputs(Path(args.weights)) if args.weights else {}
        refuse_overwrite(run_outputs(out), {**inputs, **project_inputs(project, registry)},
                         remedy="pass --out DIR to write this run's results elsewhere")
        warn_if_another_project(out, project_path)
    for warning in suspect_uses(project, registry):
        print(f"warning: {warning}", file=sys.stderr)
    control = TrainingControl()
    progress = Progress(disable=args.quiet)
    epoch_end = EpochEndWeights()
    norms = EpochGradientNorms()
    overrides = RunOverrides(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr,
                             seed=args.seed, shuffle=False if args.no_shuffle else None,
                             weights=start_weights)
    run = build_run(project, overrides, registry=registry, callbacks=[progress, epoch_end, norms],
                    control=control)
    epoch_end.model = run.model
    results = Results(out, run, run_project(project, overrides), project_path, registry, norms,
                      None if from_run is None else from_run.id)
    health = results.monitor = HealthMonitor.attach(run.trainer)
    report = report_stream(args)
    with stop_on_interrupt(control):
        try:
            history = run.fit()
        except NonFiniteLossError as error:
            history = progress.history or History()
            folder = shown(results.save(run.model.get_weights(), history, "non_finite", None))
            report_health(health, args, failed=True)
            raise CliError(f"{error}; saved those weights to {folder / WEIGHTS} and the history so far to "
                           f"{folder / HISTORY}") from None
        except ProjectError:
            raise  # the project's settings refused before training (early stopping's monitor)
        except Exception as error:
            results.keep_failed(progress.history or History(), error)
            raise
    print(history_summary(history), file=report)
    if history.reason == "stopped" and not history.epochs:
        where = out if out is not None else runs_root(project)
        print(f"interrupted: nothing saved, {where} is unchanged", file=sys.stderr)
        return EXIT_INTERRUPTED
    weights, weights_epoch = trained_weights(run, history, epoch_end)
    folder = shown(results.save(weights, history, history.reason, weights_epoch))
    report_health(health, args)
    if out is None:
        print(f"run: {folder}", file=report)
    print(f"weights: {folder / WEIGHTS}", file=report)
    print(f"history: {folder / HISTORY}", file=report)
    if history.reason == "stopped":
        print(f"interrupted: saved the weights of epoch {weights_epoch}, the last completed one",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def from_run_weights(run: KeptRun) -> Path:
    """The weights file of the run ``--from`` names."""
    if run.weights_path is None:
        raise CliError(f"--from: the run {run.folder} has no weights (it {run.status} before it had any)")
    return run.weights_path


def run_project(project: Project, overrides: RunOverrides) -> Project:
    """The project as this run trains it: the command's options written into its settings, so the
    kept snapshot and settings say what really ran."""
    trained = copy.deepcopy(project)
    settings = trained.training
    for name in ("epochs", "batch_size", "seed", "shuffle"):
        value = getattr(overrides, name)
        if value is not None:
            setattr(settings, name, value)
    if overrides.learning_rate is not None:
        settings.optimizer.config["learning_rate"] = overrides.learning_rate
    return trained


class Results:
    """Where this run's results go: a new kept run, or the run files of ``--out`` replaced."""

    def __init__(self, out: Path | None, run: Run, project: Project, project_path: Path,
                 registry: Registry, norms: EpochGradientNorms, resumed_from: str | None) -> None:
        self.out, self.run, self.project, self.project_path = out, run, project, project_path
        self.registry, self.norms, self.resumed_from = registry, norms, resumed_from
        self.started = time.time()
        self.monitor: HealthMonitor | None = None

    def save(self, weights: Weights, history: History, ended: str, weights_epoch: int | None) -> Path:
        """Write the results; the folder they are in."""
        if self.out is not None:
            save_results(self.out, self.run, self.project_path, weights, history, ended, weights_epoch)
            return self.out
        return self._keep(history, ended, weights, weights_epoch).folder

    def keep_failed(self, history: History, error: Exception) -> None:
        """A run that failed while training is kept as failed (not with ``--out``)."""
        if self.out is None:
            self._keep(history, "error", None, None, str(error) or type(error).__name__)

    def _keep(self, history: History, ended: str, weights: Weights | None, weights_epoch: int | None,
              error: str | None = None) -> KeptRun:
        new = describe_run(self.run, self.project, self.registry, history, ended, started=self.started,
                           source="cli", weights=weights, weights_epoch=weights_epoch,
                           gradient_norms_csv=self.norms.table.csv(), error=error,
                           resumed_from=self.resumed_from, monitor=self.monitor)
        root = runs_root(self.project)
        try:
            return keep_run(root, new)
        except OSError as error:
            raise CliError(f"cannot keep the run in {root} ({error.strerror}); nothing was written") from None


def trained_weights(run: Run, history: History, epoch_end: EpochEndWeights) -> tuple[Weights, int]:
    """The weights to save and the epoch they are from: a stopped run's last completed epoch (not
    the batches of the next one it had begun), early stopping's best epoch when it restored it."""
    if history.reason == "stopped":
        return epoch_end.weights, history.epochs[-1].epoch
    settings = run.fit_kwargs.get("early_stopping")
    restored = settings is not None and settings.restore_best_weights and history.best_epoch is not None
    return run.model.get_weights(), history.best_epoch if restored else history.epochs[-1].epoch


def save_results(out: Path, run: Run, project_path: Path, weights: Weights, history: History, ended: str,
                 weights_epoch: int | None) -> None:
    """Create ``out`` and replace the run's files in it as one set."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CliError(f"--out: cannot create the folder {out} ({error.strerror})") from None
    try:
        save_run(out, weights, run.preprocessing, history, project_path, ended, weights_epoch)
    except FileSetError as error:
        raise CliError(f"--out: {error}") from None
    except OSError as error:
        raise CliError(f"--out: cannot write the run's files to {out} ({error.strerror}); the folder "
                       "keeps its previous files") from None


def warn_if_another_project(out: Path, project_path: Path) -> None:
    """Say so when ``out`` holds a run of another project, which this run will replace."""
    other = run_of_another_project(out, project_path)
    if other is not None:
        print(f"warning: {out} holds a run of another project ({other}); this run replaces it",
              file=sys.stderr)


def check_out_dir(out: Path) -> None:
    """Refuse an --out that could never be written, before training (it is created only at the end)."""
    if out.exists():
        if not out.is_dir():
            raise CliError(f"--out: {out} exists and is not a folder")
        try:
            check_run_folder(out)
        except FileSetError as error:
            raise CliError(f"--out: {error}") from None
        writable = out
    else:
        writable = next(folder for folder in out.parents if folder.exists())
        if not writable.is_dir():
            raise CliError(f"--out: cannot create the folder {out}: {writable} is not a folder")
    if not os.access(writable, os.W_OK | os.X_OK):
        raise CliError(f"--out: cannot write to the folder {writable} (permission denied)")


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse impossible options before anything is loaded or written."""
    require_at_least("--epochs", args.epochs, 1)
    require_at_least("--batch-size", args.batch_size, 1)
    require_at_least("--seed", args.seed, 0)
    if args.lr is not None and not (args.lr > 0 and math.isfinite(args.lr)):
        raise CliError(f"--lr must be a positive finite number. Received: {args.lr}")
    if args.weights is not None and not Path(args.weights).is_file():
        raise CliError(f"--weights: no such file: {args.weights}")
    if args.weights is not None and args.from_run is not None:
        raise CliError("--weights and --from both choose the starting weights: give one of them")


class EpochEndWeights:
    """Keeps a copy of the weights as every epoch ends (``model`` is set once the run is built)."""

    def __init__(self) -> None:
        self.model: Model | None = None
        self.weights: Weights = {}

    def on_epoch_end(self, event: EpochEvent) -> None:
        assert self.model is not None
        self.weights = self.model.get_weights()


class Progress:
    """A tqdm bar over every batch of the run: epoch, running loss, last epoch's metrics, ETA."""

    def __init__(self, disable: bool) -> None:
        self.disable = disable
        self.bar: tqdm | None = None
        self.epoch_text = ""
        # The run's history, however it ended: a failed fit raises instead of returning it.
        self.history: History | None = None

    def on_run_start(self, info: RunInfo) -> None:
        self.epochs = info.epochs
        self.bar = tqdm(total=info.total_steps, unit="batch", file=sys.stderr, disable=self.disable,
                        dynamic_ncols=True, desc=f"epoch 1/{info.epochs}")

    def on_batch_end(self, event: BatchEvent) -> None:
        assert self.bar is not None
        if event.batch == 1:
            self.bar.set_description_str(f"epoch {event.epoch}/{self.epochs}", refresh=False)
        self.bar.set_postfix_str(f"loss {event.loss:.4f}{self.epoch_text}", refresh=False)
        self.bar.update(1)

    def on_epoch_end(self, event: EpochEvent) -> None:
        shown = {name: value for name, value in event.logs.items() if name not in ("loss", "lr")}
        self.epoch_text = "".join(f" {name} {value:.4f}" for name, value in shown.items())
        # The epoch's own values, for the frame drawn at its end (the last one stays on screen).
        assert self.bar is not None
        self.bar.set_postfix_str(f"loss {event.loss:.4f}{self.epoch_text}", refresh=False)

    def on_run_end(self, result: RunResult) -> None:
        self.history = result.history
        if self.bar is not None:
            self.bar.close()
