"""Train the exported network as Backprop Studio trains it, in PyTorch.

    python train.py                           # the project's settings (recipe.py), on a GPU if any
    python train.py --epochs 5 --no-shuffle --dtype float64 --device cpu
    torchrun --nproc_per_node 2 train.py      # DistributedDataParallel: gloo on CPU, nccl on GPUs

One step is the app's: forward in training mode, the loss, backward, the global gradient norm
(a NaN or infinite loss or gradient stops the run), clipping by the app's rule, the optimizer
step at the schedule's learning rate. Under torchrun every process takes its share of each
batch (``data.AppOrderSampler``) and the global batch stays ``--batch-size``.

Writes to ``--out``: ``history.csv`` (the columns of the app's ``train``), ``weights.pt`` (this
network's state_dict), and ``weights.npz`` with ``weights.data.json`` beside it, which the app takes
as trained weights (``backprop-studio predict PROJECT --weights run/weights.npz``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import recipe
import torch
import torch.distributed as dist
from app_weights import app_arrays, read_weights
from data import AppOrderSampler, fit_scaler, load_data, scale, split_indices
from metrics import EarlyStopping, compute
from model import APP_WEIGHTS, Network
from torch import nn
from torch.nn.parallel import DistributedDataParallel

HERE = Path(__file__).resolve().parent
TIMING = ("seconds", "samples_per_second")


class TrainingError(Exception):
    """A problem to report in one line (bad option, weights that do not fit, a non-finite loss)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    settings = recipe.SETTINGS
    parser = argparse.ArgumentParser(description=f"Train {recipe.PROJECT} as Backprop Studio does.")
    parser.add_argument("--epochs", type=int, default=settings["epochs"])
    parser.add_argument("--batch-size", type=int, default=settings["batch_size"],
                        help="the global batch size (torchrun processes share each batch)")
    parser.add_argument("--lr", type=float, default=settings["learning_rate"], help="the base learning rate")
    parser.add_argument("--seed", type=int, default=settings["seed"],
                        help="seeds the validation split, the shuffles and dropout")
    parser.add_argument("--no-shuffle", action="store_true", help="keep the training samples in order")
    parser.add_argument("--dtype", choices=("float32", "float64"), default=settings["dtype"])
    parser.add_argument("--device", help="cpu, cuda, cuda:1, ... (default: a GPU if there is one)")
    parser.add_argument("--weights", type=Path, default=HERE / "weights.pt",
                        help="start from these weights: a .pt state_dict, or the app's .npz")
    parser.add_argument("--data", type=Path, default=HERE / "data.npz")
    parser.add_argument("--out", type=Path, default=Path("run"), help="where to write the results")
    args = parser.parse_args(argv)
    for option, value, minimum in (("--epochs", args.epochs, 1), ("--batch-size", args.batch_size, 1),
                                   ("--seed", args.seed, 0)):
        if value < minimum:
            parser.error(f"{option} must be at least {minimum}. Received: {value}")
    if not (args.lr > 0 and math.isfinite(args.lr)):
        parser.error(f"--lr must be a positive finite number. Received: {args.lr}")
    return args


def start_processes(device: str | None) -> tuple[torch.device, int, int]:
    """(device, rank, world size): one process, or a torchrun process group."""
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise TrainingError(f"--device {device}: PyTorch sees no CUDA GPU here; use --device cpu")
    if "RANK" not in os.environ:
        return torch.device(device), 0, 1
    if device == "cuda":
        device = f"cuda:{os.environ['LOCAL_RANK']}"
        torch.cuda.set_device(device)
    chosen = torch.device(device)
    dist.init_process_group("nccl" if chosen.type == "cuda" else "gloo")
    return chosen, dist.get_rank(), dist.get_world_size()


class Data:
    """The training and validation tensors, split and scaled as the app does for ``seed``."""

    def __init__(self, path: Path, seed: int, dtype: str, device: torch.device) -> None:
        settings = recipe.SETTINGS
        x, y, self.class_names = load_data(path)
        # Class indices as PyTorch's losses take them (int64); other targets in the model's dtype.
        y = y.astype(np.int64 if settings["targets"] == "labels" else dtype)
        train, val = split_indices(len(x), settings["validation_split"], seed)
        self.offset, self.scale = fit_scaler(settings["scaling"], x[train])
        self.y_train = y[train]
        self.x_train = self.tensor(scale(x[train], self.offset, self.scale, dtype), device)
        self.targets = self.tensor(self.y_train, device)
        self.validation = None
        if len(val):
            y_val = y[val]
            self.validation = (self.tensor(scale(x[val], self.offset, self.scale, dtype), device),
                               self.tensor(y_val, device), y_val)

    @staticmethod
    def tensor(array: np.ndarray, device: torch.device) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(array)).to(device)


def global_norm(parameters: list[nn.Parameter]) -> float:
    """sqrt of the sum of every gradient's squares, as the app sums them (in Python floats)."""
    return math.sqrt(sum(float(torch.sum(p.grad * p.grad)) for p in parameters))


def clip(parameters: list[nn.Parameter], limit: float, norm: float) -> None:
    """The app's rule: scale every gradient by limit / norm when the global norm exceeds ``limit``.
    (``torch.nn.utils.clip_grad_norm_`` divides by norm + 1e-6 and rescales at every step.)"""
    if limit and norm > limit:
        for p in parameters:
            p.grad.mul_(limit / norm)


@torch.no_grad()
def evaluate(model: nn.Module, loss_fn: nn.Module, x: torch.Tensor, y: torch.Tensor,
             batch_size: int) -> tuple[float, np.ndarray]:
    """Mean loss and the predictions on (x, y) in eval mode, in batches of ``batch_size``."""
    model.eval()
    total, outputs = 0.0, []
    for start in range(0, len(x), batch_size):
        stop = min(start + batch_size, len(x))
        output = model(x[start:stop])
        total += loss_fn(output, y[start:stop]).item() * (stop - start)
        outputs.append(output)
    model.train()
    return total / len(x), torch.cat(outputs).cpu().numpy()


def gather_epoch(total: float, positions: list[np.ndarray], outputs: list[torch.Tensor],
                 count: int, world: int) -> tuple[float, np.ndarray]:
    """The epoch's summed loss and its predictions in epoch order, from every process."""
    local = (np.concatenate(positions), torch.cat(outputs).cpu().numpy())
    parts = [local]
    if world > 1:
        parts = [None] * world
        dist.all_gather_object(parts, local)
        summed = torch.tensor([total], dtype=torch.float64)
        dist.all_reduce(summed)
        total = float(summed[0])
    predictions = np.empty((count, *local[1].shape[1:]), dtype=local[1].dtype)
    for where, values in parts:
        predictions[where] = values
    return total, predictions


class Training:
    """One run: the model (wrapped in DDP under torchrun), the loss, the optimizer, the batches."""

    def __init__(self, args: argparse.Namespace, device: torch.device, rank: int, world: int) -> None:
        settings = recipe.SETTINGS
        self.args, self.device, self.world = args, device, world
        self.data = Data(args.data, args.seed, args.dtype, device)
        self.model = Network().to(device=device, dtype=getattr(torch, args.dtype))
        read_weights(args.weights, self.model, APP_WEIGHTS)
        self.count = len(self.data.x_train)
        smallest = min(args.batch_size, self.count % args.batch_size or args.batch_size)
        if smallest < world:
            raise TrainingError(f"a batch of {smallest} samples cannot be shared by {world} processes: "
                                "choose another --batch-size or fewer processes")
        self.stepper = self.model
        if world > 1:
            if device.type == "cuda":
                self.model = nn.SyncBatchNorm.convert_sync_batchnorm(self.model)
            self.stepper = DistributedDataParallel(self.model,
                                                   device_ids=[device] if device.type == "cuda" else None)
        self.parameters = list(self.model.parameters())
        self.loss_fn = recipe.make_loss()
        self.optimizer = recipe.make_optimizer(self.parameters, args.lr)
        shuffle = settings["shuffle"] and not args.no_shuffle
        self.sampler = AppOrderSampler(self.count, args.batch_size, shuffle, args.seed, world, rank)
        self.total_steps = args.epochs * len(self.sampler)
        self.step, self.lr = 0, args.lr

    def epoch(self, epoch: int) -> dict[str, float]:
        """Train one epoch and validate; the history row."""
        started = time.perf_counter()
        self.sampler.set_epoch(epoch)
        total, positions_seen, outputs = 0.0, [], []
        for batch, (positions, indices) in enumerate(self.sampler, start=1):
            value, output = self.batch(epoch, batch, positions, indices)
            total += value * len(positions)
            positions_seen.append(positions)
            outputs.append(output)
        train_seconds = time.perf_counter() - started
        total, predictions = gather_epoch(total, positions_seen, outputs, self.count, self.world)
        metrics, accuracy_mode = recipe.SETTINGS["metrics"], recipe.SETTINGS["accuracy_mode"]
        logs = {"loss": total / self.count,
                **compute(metrics, accuracy_mode, predictions, self.data.y_train[self.sampler.order])}
        if self.data.validation is not None:
            x_val, y_val, y_val_array = self.data.validation
            logs["val_loss"], val_predictions = evaluate(self.model, self.loss_fn, x_val, y_val,
                                                         self.args.batch_size)
            logs.update({f"val_{name}": value for name, value in
                         compute(metrics, accuracy_mode, val_predictions, y_val_array).items()})
        logs["lr"] = self.lr
        return {"epoch": epoch, **logs, "seconds": time.perf_counter() - started,
                "samples_per_second": self.count / train_seconds if train_seconds > 0 else math.inf}

    def batch(self, epoch: int, batch: int, positions: np.ndarray,
              indices: np.ndarray) -> tuple[float, torch.Tensor]:
        """One optimizer step on this process's share of a batch: (its mean loss, its outputs)."""
        self.lr = recipe.learning_rate(self.args.lr, self.step, len(self.sampler), self.total_steps)
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr
        self.optimizer.zero_grad()
        rows = torch.from_numpy(indices).to(self.device)
        output = self.stepper(self.data.x_train[rows])
        loss = self.loss_fn(output, self.data.targets[rows])
        value = loss.item()
        if self.world > 1:  # DDP averages the processes' gradients: weigh each share by its size
            batch_size = min(self.args.batch_size, self.count - (batch - 1) * self.args.batch_size)
            loss = loss * (len(positions) * self.world / batch_size)
        loss.backward()
        norm = global_norm(self.parameters)
        if not (math.isfinite(value) and math.isfinite(norm)):
            what = "the gradient" if math.isfinite(value) else "the loss"
            raise TrainingError(f"epoch {epoch}, batch {batch}: {what} is NaN or infinite")
        clip(self.parameters, recipe.CLIP_NORM, norm)
        self.optimizer.step()
        self.step += 1
        return value, output.detach()

    def state(self) -> dict[str, torch.Tensor]:
        return {key: value.clone() for key, value in self.model.state_dict().items()}


def train(args: argparse.Namespace, device: torch.device, rank: int, world: int) -> int:
    """Every epoch (fewer if early stopping ends the run), then the results from process 0."""
    if rank == 0:
        processes = f" in {world} processes ({dist.get_backend()})" if world > 1 else ""
        print(f"training {recipe.PROJECT} on {device}{processes}")
    torch.manual_seed(args.seed)  # dropout's masks: PyTorch's generator, not the app's
    run = Training(args, device, rank, world)
    settings = recipe.SETTINGS["early_stopping"]
    stopping = EarlyStopping(**settings) if settings else None
    rows = []
    for epoch in range(1, args.epochs + 1):
        rows.append(run.epoch(epoch))
        if rank == 0:
            shown = {key: value for key, value in rows[-1].items() if key not in ("epoch", *TIMING)}
            print(f"epoch {epoch}/{args.epochs}  " + "  ".join(f"{k} {v:.4g}" for k, v in shown.items()))
        if stopping is not None and stopping.update(epoch, rows[-1], run.state):
            break
    if stopping is not None and stopping.best_state is not None:
        run.model.load_state_dict(stopping.best_state)
    if rank == 0:
        save_run(args.out, run.model, rows, run.data)
    return 0


def save_run(out: Path, model: nn.Module, rows: list[dict], data: Data) -> None:
    """history.csv, weights.pt, weights.npz and weights.data.json, each written whole or not at all."""
    out.mkdir(parents=True, exist_ok=True)
    history = io.StringIO()
    writer = csv.writer(history, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerows(row.values() for row in rows)
    state, arrays = io.BytesIO(), io.BytesIO()
    torch.save(model.state_dict(), state)
    np.savez(arrays, **app_arrays(model, APP_WEIGHTS))
    record = {
        "format_version": 1,
        "dataset": recipe.SETTINGS["dataset"],
        "class_names": data.class_names,
        "sample_shape": list(data.offset.shape),
        "offset": data.offset.tolist(),
        "scale": data.scale.tolist(),
        "graph": recipe.SETTINGS["graph"],
    }
    files = {"history.csv": history.getvalue().encode(), "weights.pt": state.getvalue(),
             "weights.npz": arrays.getvalue(),
             "weights.data.json": (json.dumps(record, indent=1, allow_nan=False) + "\n").encode()}
    # Every file is written beside its target first, then each replaces its target: an error while
    # writing leaves the previous run's files.
    for name, content in files.items():
        (out / f".{name}.partial").write_bytes(content)
    for name in files:
        os.replace(out / f".{name}.partial", out / name)
    print(f"history: {out / 'history.csv'}\nweights: {out / 'weights.pt'} (PyTorch), "
          f"{out / 'weights.npz'} (Backprop Studio)")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    world = 1
    try:
        device, rank, world = start_processes(args.device)
        code = train(args, device, rank, world)
        if world > 1:
            # every process is done before any tears the group down: a gloo process whose peer
            # closed the connection first can abort at exit ("terminate called without an active
            # exception", seen once in about twenty torchrun runs)
            dist.barrier()
        return code
    except (TrainingError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if world > 1:
            dist.destroy_process_group()


if __name__ == "__main__":
    status = main()
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        # Under torchrun, gloo's threads can abort the interpreter's own teardown ("terminate
        # called without an active exception") after every result is written and the group is
        # destroyed: leave without that teardown, keeping the exit status.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)
