"""Export a project as a standalone PyTorch project: the CLI's ``export --format pytorch`` and the
window's File > Export > PyTorch project.

The folder holds ``model.py`` (the graph as an ``nn.Module``), ``recipe.py`` (settings, loss,
optimizer, schedule), the fixed ``train.py`` and its helpers (``desktop_app/export/pytorch_template``),
``data.npz`` (the dataset, unscaled, with targets shaped for the loss), ``weights.pt`` (the
weights as a state_dict), ``README.md`` and ``requirements.txt``. Every file is made in memory
first, so an unsupported item or bad data stops the export before anything is written (a dataset
whose copy would not fit in the memory budget too), and the folder then receives the files as
one set (``desktop_app.file_set``): a new folder, or one holding an earlier export and nothing
else, so old and new files never mix; never a file the export reads. Exporting needs torch (to
write ``weights.pt``); nothing else in the app imports it.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..data.preprocess import format_targets
from ..engine.errors import GraphError
from ..engine.graph import Model
from ..engine.loss import Loss
from ..engine.memory import MEMORY_LIMIT_ENV, format_bytes, memory_budget
from ..engine.optimizer import Optimizer
from ..export.errors import ExportError
from ..export.pytorch_model import model_source
from ..export.pytorch_recipe import metric_names, recipe_source
from ..file_set import FileSetError, replace_files
from ..registry import Registry
from .document import Project
from .exporting import project_title
from .reads import same_file
from .run import build_model, load_dataset, make_component, prepare_data
from .weights import graph_fingerprint

TEMPLATE_FILES = ("train.py", "data.py", "metrics.py", "layers.py", "app_weights.py")
# A folder holding this file is an earlier export, which a new one may replace.
MARKER = "recipe.py"
# What Python adds to an export folder when train.py runs (its compiled modules, checked against
# the sources, so stale ones are never used).
PYTHON_CACHE = "__pycache__"
TORCH_MISSING = "the PyTorch export needs torch: pip install 'backprop-studio[pytorch]'"


def pytorch_project_files(project: Project, registry: Registry,
                          weights: Mapping[str, np.ndarray] | None = None) -> dict[str, bytes]:
    """Every file of the export by name. ``weights`` (``node/param`` arrays) default to the
    network's initial weights from the project's seed. Raises ExportError (or ProjectError for
    the project's own problems) before anything is written."""
    try:
        import torch
    except ImportError:
        raise ExportError(TORCH_MISSING) from None
    model = _network(project, registry, weights)
    settings = project.training
    loss = make_component(registry.losses, settings.loss, project, "$.training.loss.config")
    optimizer = make_component(registry.optimizers, settings.optimizer, project,
                               "$.training.optimizer.config")
    schedule = make_component(registry.schedules, settings.schedule, project, "$.training.schedule.config")
    try:
        dataset = load_dataset(project, registry)
        prepare_data(project, model, loss, dataset, settings.seed)  # the app's checks of data against model
        targets = format_targets(dataset.y, dataset, loss.task, model.output_shape, project.dataset.one_hot,
                                 np.float64)
        _check_data_fits(dataset.name, dataset.x, targets)
        data = _data_npz(dataset.x, targets, dataset.class_names)
    except MemoryError as error:
        raise ExportError(f"the dataset of {project_title(project)} does not fit in memory to be "
                          f"exported as data.npz ({error})") from None
    name = project_title(project)
    header = (f"\n\nWritten by Backprop Studio {__version__} (export --format pytorch) from the project "
              f"'{name}'.\n")
    # nn.Module's attributes (an instance's too: "training") cannot name a node's module.
    reserved = {attribute for attribute in dir(torch.nn.Module()) if not attribute.startswith("__")}
    network = model_source(model, registry, name, f"{name}: the network as a PyTorch module.{header}",
                           reserved)
    run_settings = _run_settings(project, model, loss, optimizer, targets, dataset.name, registry)
    recipe, training_plugins = recipe_source(f"How {name} trains.{header}", name, run_settings, loss,
                                             optimizer, schedule, registry)
    files = {
        "model.py": network.text.encode(),
        "recipe.py": recipe.encode(),
        **{file: resources.files("desktop_app.export.pytorch_template").joinpath(file).read_bytes()
           for file in TEMPLATE_FILES},
        "data.npz": data,
        "weights.pt": _state_dict_bytes(torch, model, network.app_weights, network.batchnorm_attributes),
        "README.md": readme(name, project, model).encode(),
        "requirements.txt": b"torch>=2.1\nnumpy>=1.26\n",
    }
    plugins = {code.class_name: code for code in [*network.plugins, *training_plugins]}
    if plugins:
        files["plugin_code.py"] = _plugin_code(plugins.values(), header).encode()
    return files


def _network(project: Project, registry: Registry, weights: Mapping[str, np.ndarray] | None) -> Model:
    """The project's network with ``weights`` (its initial ones when None); one input, one output."""
    model = build_model(project, registry)
    if (len(model.input_names), len(model.output_names)) != (1, 1):
        raise ExportError(f"the PyTorch export trains networks with one input and one output, as the app "
                          f"does. Received inputs {model.input_names} and outputs {model.output_names}")
    if weights is not None:
        try:
            model.set_weights(weights)
        except GraphError as error:
            raise ExportError(str(error)) from None
    return model


def write_pytorch_project(folder: Path, files: Mapping[str, bytes], reads: Mapping[str, Path]) -> None:
    """Put ``files`` in ``folder`` as one set: a new folder, or one holding an earlier export and
    nothing the new one would not replace (its files are replaced, all or none). ExportError for
    any other folder, or for a file of the set that is one of ``reads`` (the files the export read,
    by how a message names them); a failed write leaves no new folder behind."""
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file; the PyTorch export writes a folder")
    for name in files:
        for what, source in reads.items():
            if same_file(folder / name, source):
                raise ExportError(f"{folder / name}: that is {what} ({source}), which the export reads; "
                                  "choose another folder")
    _check_replaceable(folder, files)
    if not folder.parent.is_dir():
        raise ExportError(f"cannot create {folder}: the folder {folder.parent} does not exist")
    created = not folder.exists()
    try:
        folder.mkdir(exist_ok=True)
        replace_files(folder, files)
    except (OSError, FileSetError) as error:
        if created:
            _remove_empty(folder)
        raise ExportError(f"cannot write the PyTorch project to {folder}: {error}") from None
    except BaseException:
        if created:
            _remove_empty(folder)
        raise


def _check_replaceable(folder: Path, files: Mapping[str, bytes]) -> None:
    """Refuse a folder that holds anything but an earlier export the new files replace whole: an
    earlier export's ``plugin_code.py`` the new one has not, or the ``run/`` results of its
    train.py, would be left beside files they do not belong to."""
    if not folder.is_dir():
        return
    present = sorted(path.name for path in folder.iterdir())
    if not present:
        return
    others = [name for name in present if name not in files and name != PYTHON_CACHE]
    if (folder / MARKER).is_file() and not others:
        return
    listed = ", ".join(others[:4] or present[:4]) + (", ..." if len(others or present) > 4 else "")
    raise ExportError(f"the folder {folder} holds other files ({listed}): choose a new folder (an earlier "
                      "PyTorch export is replaced only when it holds nothing this export would not replace)")


def _check_data_fits(name: str, x: np.ndarray, targets: np.ndarray) -> None:
    """data.npz is made in memory beside the loaded dataset: refuse, in one line, a dataset whose
    copy would take the loaded arrays over the memory budget, rather than fail half way."""
    need = 2 * (x.nbytes + targets.nbytes)
    budget = memory_budget()
    if need > budget.limit:
        raise ExportError(f"the dataset {name} ({len(x)} samples, {format_bytes(x.nbytes + targets.nbytes)}) "
                          f"is too large to export: data.npz is made in memory beside it, "
                          f"{format_bytes(need)} in all, over the memory budget of {budget.describe()}; "
                          f"{MEMORY_LIMIT_ENV} sets another budget")


def _remove_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty: something else wrote there meanwhile
        folder.rmdir()


def _run_settings(project: Project, model: Model, loss: Loss, optimizer: Optimizer, targets: np.ndarray,
                  dataset: str, registry: Registry) -> dict[str, Any]:
    """recipe.SETTINGS: what train.py needs of the project beyond the loss, optimizer and schedule."""
    settings = project.training
    metrics = metric_names(settings.metrics, loss.task, registry)
    # Named metrics are built with accuracy's "auto" mode; the defaults with the task's.
    binary = model.output_shape[-1:] == (1,) if settings.metrics else loss.task == "binary"
    stopping = settings.early_stopping
    return {
        "epochs": settings.epochs,
        "batch_size": settings.batch_size,
        "learning_rate": optimizer.config["learning_rate"],
        "seed": settings.seed,
        "shuffle": settings.shuffle,
        "validation_split": settings.validation_split,
        "scaling": project.dataset.scaling,
        "dtype": project.dtype,
        "targets": "labels" if targets.dtype.kind in "iu" else "values",
        "metrics": metrics,
        "accuracy_mode": "binary" if binary else "categorical",
        "early_stopping": None if stopping is None else {
            "monitor": stopping.monitor, "mode": stopping.mode, "patience": stopping.patience,
            "min_delta": stopping.min_delta, "restore_best_weights": stopping.restore_best_weights},
        "dataset": dataset,
        "graph": graph_fingerprint(project, model),
    }


def _data_npz(x: np.ndarray, y: np.ndarray, class_names: tuple[str, ...]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, x=x, y=y, class_names=np.array(class_names, dtype=str))
    return buffer.getvalue()


def _state_dict_bytes(torch, model: Model, table: Mapping[str, tuple[str, bool]],
                      batchnorms: list[str]) -> bytes:
    """The model's weights under the module's state_dict keys (Dense kernels transposed)."""
    weights = model.get_weights()
    state = {name: torch.from_numpy(np.ascontiguousarray(weights[key].T if transposed else weights[key]))
             for key, (name, transposed) in table.items()}
    state.update({f"{attribute}.num_batches_tracked": torch.tensor(0) for attribute in batchnorms})
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def _plugin_code(codes, header: str) -> str:
    """plugin_code.py: each plugin source once (one may define the classes of several types)."""
    sources: dict[str, list[str]] = {}
    for code in codes:
        sources.setdefault(code.source.strip(), []).append(f"{code.type_name} (plugin '{code.plugin}')")
    parts = [f'"""The classes plugins give for their layers, losses and optimizers.{header}"""']
    parts += [f"# For {', '.join(types)}\n{source}" for source, types in sources.items()]
    return "\n\n\n".join(parts) + "\n"


def readme(name: str, project: Project, model: Model) -> str:
    """README.md: what the files are, the commands, and where PyTorch cannot follow the app exactly."""
    settings = project.training
    return f"""# {name}, in PyTorch

Exported by Backprop Studio {__version__} (`backprop-studio export PROJECT --format pytorch -o DIR`).
The network takes samples of shape {model.input_shape} and trains as the app trains it: same weights,
loss, optimizer, schedule, validation split, input scaling and batch order.

## Run

    pip install -r requirements.txt
    python train.py                        # {settings.epochs} epochs, batch {settings.batch_size}
    python train.py --epochs 5 --lr 0.001 --seed 1 --no-shuffle --dtype float64 --device cpu
    torchrun --nproc_per_node 2 train.py   # DistributedDataParallel (gloo on CPU, nccl on GPUs)

`--batch-size` is the global batch: under torchrun every process takes its share of each batch,
so N processes train as one does. Results go to `--out` (default `run/`):

- `history.csv`: one row per epoch, the columns of the app's `train` command;
- `weights.pt`: the network's state_dict (`Network().load_state_dict(torch.load("run/weights.pt"))`);
- `weights.npz` and `weights.data.json`: the same weights as the app keeps them, with their input
  scaling, for every `--weights` of the app: `backprop-studio predict PROJECT --weights run/weights.npz`.

`--weights` starts from a `.pt` state_dict or from the app's `.npz` (default: `weights.pt`, the
weights exported with the project).

## Files

- `model.py`: the network, one attribute per node of the graph, `forward` in the graph's order.
- `recipe.py`: the project's settings, loss, optimizer and learning-rate schedule, with the app's
  conventions passed explicitly where PyTorch's defaults differ.
- `train.py`, `data.py`, `metrics.py`, `app_weights.py`, `layers.py`: the training loop, the app's
  split, scaling and batch order, its metrics and early stopping, weight conversion, and layers
  PyTorch has no module for.
- `data.npz`: the dataset unscaled (`x`), the targets as the loss takes them (`y`), `class_names`.

## Where PyTorch cannot follow exactly

- Dropout draws its masks from PyTorch's generator (seeded with `--seed`), not the app's: a run with
  dropout follows the same distribution, not the same numbers.
- BatchNorm under torchrun on CPUs normalizes each process's share of the batch by itself; on GPUs
  train.py converts it to SyncBatchNorm, which uses the whole batch.
- Float32 runs agree with the app to about 1e-5; float64 runs to about 1e-9 (rounding order differs).
"""
