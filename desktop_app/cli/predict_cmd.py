"""``backprop-studio predict PROJECT [--weights FILE] INPUT -o OUTPUT``: run trained weights on new data.

PROJECT is a project file or a shipped example's name; the weights default to the project's
latest run (``desktop_app.cli.locations``), and the file used is printed. OUTPUT may not be a file
the command reads (``desktop_app.cli.inputs``).

INPUT is a CSV of feature columns (header optional), an .npy array, or an .npz holding ``x``,
in the units of the project's dataset file (raw values, as in the data the weights were trained
on): the scaler saved beside the weights (``<weights>.data.json``; without one it is refitted
from the project's dataset) is applied to them. OUTPUT by suffix:

- ``.csv``: classifiers get ``p_<class>`` columns and ``predicted`` (the class name); regression
  gets ``y`` (or ``y_0``, ``y_1``, ...).
- ``.npz``: ``probabilities``, ``predicted`` (class indices) and ``class_names``; or ``values``.
- ``.npy``: the probabilities (classifiers) or the values (regression) alone.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np

from ..data import read_csv_samples, read_numpy_samples
from ..fileio import atomic_write, atomic_write_text
from ..plugin_system import current_registry
from ..project import load_project
from ..project.exporting import load_trained
from ..project.predict import Predictions, predict
from ..project.run import fit_preprocessing
from .errors import CliError
from .inputs import project_inputs, refuse_overwrite, refuse_run_files, weights_inputs
from .locations import PROJECT_HELP, WEIGHTS_HELP, chosen_weights, project_file
from .outputs import check_output_file
from .parsing import examples

INPUT_SUFFIXES = (".csv", ".npy", ".npz")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "predict", help="predict with trained weights on new data (CSV, .npy or .npz)",
        description="Run a project's trained network on new inputs: class probabilities and the "
        "predicted class for classifiers, values for regression. INPUT holds one sample per row: the "
        "values of the dataset's features in the dataset's order (`backprop-studio datasets` lists "
        "them with their ranges), as raw values in the units of the project's dataset file; the "
        "scaler saved beside the weights is applied to them (<weights>.data.json, written by `train`).",
        epilog=examples(("predict my.bps.json --weights runs/my/weights.npz new.csv -o predictions.csv",
                         "one row per sample")),
    )
    parser.add_argument("project", metavar="PROJECT", help=PROJECT_HELP)
    parser.add_argument("--weights", metavar="FILE", help=WEIGHTS_HELP)
    parser.add_argument("input", metavar="INPUT",
                        help="samples to predict, unscaled: a .csv with one column per feature "
                        "(header row optional), an .npy array of shape (samples, features), or an "
                        ".npz holding that array as 'x'")
    parser.add_argument("-o", "--output", metavar="OUTPUT", required=True,
                        help="where to write the predictions: .csv, .npy or .npz")
    parser.set_defaults(func=run_predict)


def run_predict(args: argparse.Namespace) -> int:
    output, inputs = Path(args.output), Path(args.input)
    _check_suffix(output, "-o/--output")
    _check_suffix(inputs, "INPUT")
    registry = current_registry()
    project_path = project_file(args.project)
    project = load_project(project_path)
    weights_path = chosen_weights(args.weights, project, project_path, args.project)
    check_paths(inputs, weights_path, output)
    reads = {"the INPUT file": inputs, **weights_inputs(weights_path), **project_inputs(project, registry)}
    refuse_overwrite({output: f"-o/--output {output}"}, reads)
    refuse_run_files(output)
    trained = load_trained(project, weights_path, registry)
    preprocessing = trained.preprocessing
    if preprocessing is None:
        print(f"note: no preprocessing record beside {weights_path}; refitting the input scaler from "
              f"the project's dataset", file=sys.stderr)
        preprocessing = fit_preprocessing(project, registry)
    predictions = predict(trained.model, trained.loss, preprocessing, read_inputs(inputs), args.input)
    write_predictions(output, predictions)
    count = len(predictions.probabilities if predictions.is_classification else predictions.values)
    print(f"wrote {count} prediction{'' if count == 1 else 's'} to {output}")
    return 0


def _check_suffix(path: Path, what: str) -> None:
    if path.suffix.lower() not in INPUT_SUFFIXES:
        raise CliError(f"{what} must end in {', '.join(INPUT_SUFFIXES)}. Received: {path.name}")


def check_paths(inputs: Path, weights: Path, output: Path) -> None:
    """Name a missing input or weights file, or an output that cannot be written, before any work."""
    for what, path in (("INPUT", inputs), ("--weights", weights)):
        if path.is_dir():
            raise CliError(f"{what}: {path} is a folder; expected a file")
        if not path.exists():
            raise CliError(f"{what}: no such file: {path}")
    check_output_file(output)


def read_inputs(path: Path) -> np.ndarray:
    """Samples from a CSV (every column a feature), an .npy, or an .npz's ``x`` array."""
    return read_csv_samples(path) if path.suffix.lower() == ".csv" else read_numpy_samples(path)


def write_predictions(path: Path, predictions: Predictions) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        atomic_write_text(path, predictions_csv(predictions))
        return
    if predictions.is_classification:
        arrays = {"probabilities": predictions.probabilities, "predicted": predictions.labels,
                  "class_names": np.array(predictions.class_names)}
    else:
        arrays = {"values": predictions.values}
    if suffix == ".npy":
        main = arrays["probabilities"] if predictions.is_classification else arrays["values"]
        atomic_write(path, lambda handle: np.save(handle, main, allow_pickle=False))
    else:
        atomic_write(path, lambda handle: np.savez(handle, **arrays))


def predictions_csv(predictions: Predictions) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if predictions.is_classification:
        writer.writerow([f"p_{name}" for name in predictions.class_names] + ["predicted"])
        for row, label in zip(predictions.probabilities.tolist(), predictions.label_names(), strict=True):
            writer.writerow([f"{p:.6g}" for p in row] + [label])
        return buffer.getvalue()
    values = predictions.values.reshape(len(predictions.values), -1)
    writer.writerow(["y"] if values.shape[1] == 1 else [f"y_{i}" for i in range(values.shape[1])])
    writer.writerows([[f"{v:.7g}" for v in row] for row in values.tolist()])
    return buffer.getvalue()
