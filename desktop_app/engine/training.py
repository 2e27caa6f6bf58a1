"""The training loop shared by the GUI worker and the CLI: mini-batches, validation, early stopping,
callbacks, and control from another thread.

One step is: forward in training mode, the loss, backward, the gradient norm of every parameter,
a finiteness check, the optimizer step. A NaN or infinite loss or gradient raises
``NonFiniteLossError`` before the optimizer touches the weights. The model is seeded by its
caller (``model.initialize(seed)``); ``fit(seed=...)`` seeds the validation split and the
shuffles, so the same seeds give the same weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from .callbacks import CALLBACK_METHODS, BatchEvent, EpochEvent, History, RunInfo, RunResult, StopReason
from .control import OPTIMIZER, TrainingControl
from .divergence import DivergenceWatch
from .early_stopping import EarlyStopping, EarlyStoppingTracker
from .errors import ConfigError, NonFiniteLossError
from .fit_data import EpochOrder, check_fraction, checked_arrays, shuffle_generator, split_indices
from .graph import Model
from .initial_loss import expected_initial_loss, output_units
from .loss import Loss, Task
from .metric import Metric
from .metrics import Accuracy, MeanAbsoluteErrorMetric, R2Score
from .optimizer import Optimizer
from .schedule import Schedule
from .schedules import Constant

Arrays = tuple[np.ndarray, np.ndarray]


def default_metrics(task: Task) -> list[Metric]:
    """What a run reports when no metrics are given: accuracy for classifiers, MAE and R^2 otherwise."""
    if task == "classification":
        return [Accuracy(mode="categorical")]
    if task == "binary":
        return [Accuracy(mode="binary")]
    return [MeanAbsoluteErrorMetric(), R2Score()]


class Trainer:
    """Trains ``model`` with ``loss`` and ``optimizer``; reports to ``callbacks`` (see callbacks.py).

    ``schedule`` defaults to a constant learning rate, ``metrics`` to ``default_metrics(loss.task)``.
    ``control`` (a new TrainingControl unless given) pauses, resumes, stops and changes the
    learning rate from another thread.
    """

    def __init__(
        self,
        model: Model,
        loss: Loss,
        optimizer: Optimizer,
        schedule: Schedule | None = None,
        metrics: Sequence[Metric] | None = None,
        callbacks: Iterable[object] = (),
        control: TrainingControl | None = None,
    ) -> None:
        if len(model.input_names) != 1 or len(model.output_names) != 1:
            raise ConfigError(
                "the trainer needs a model with one input and one output. "
                f"Received inputs {model.input_names} and outputs {model.output_names}"
            )
        if "learning_rate" not in optimizer.config:
            raise ConfigError(
                f"optimizer {optimizer.kind_name()}: its schema must include 'learning_rate' (extend "
                f"optimizer.BASE_SCHEMA). Received parameters: {sorted(optimizer.config)}"
            )
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.schedule = schedule if schedule is not None else Constant()
        self.metrics = list(default_metrics(loss.task) if metrics is None else metrics)
        names = [metric.kind_name() for metric in self.metrics]
        if len(set(names)) != len(names) or "loss" in names:
            raise ConfigError(f"metric names must be unique and not 'loss'. Received: {names}")
        self.callbacks = list(callbacks)
        self.control = control if control is not None else TrainingControl()

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        epochs: int,
        batch_size: int,
        shuffle: bool = True,
        seed: int = 0,
        validation_split: float = 0.0,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        early_stopping: EarlyStopping | None = None,
    ) -> History:
        """Train for ``epochs`` epochs (fewer when stopped) and return the per-epoch History.

        Bad arguments or data raise before ``on_run_start``. Once the run started, every outcome
        reaches ``on_run_end``; an error (NonFiniteLossError, LayerError, ...) is raised after it.
        """
        _check_count("epochs", epochs)
        _check_count("batch_size", batch_size)
        _check_count("seed", seed, minimum=0)
        check_fraction(validation_split)
        if validation_split and validation_data is not None:
            raise ConfigError("give validation_split or validation_data, not both")
        shuffle_rng = shuffle_generator(seed)
        train = checked_arrays(self.model, self.loss, x, y, "training data")
        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ConfigError(
                    f"validation_data must be a pair (x, y). Received: {type(validation_data).__name__}"
                )
            validation = checked_arrays(self.model, self.loss, *validation_data, "validation data")
        elif validation_split:
            x_all, y_all = train
            train_index, val_index = split_indices(len(x_all), validation_split, seed)
            train, validation = (x_all[train_index], y_all[train_index]), (x_all[val_index], y_all[val_index])
        tracker = self._tracker(early_stopping, validation is not None)
        order = EpochOrder(*train, shuffle, shuffle_rng, batch_size)
        run = _Run(self, train, validation, epochs, batch_size, order)
        return run.execute(seed, tracker)

    def evaluate(self, x: np.ndarray, y: np.ndarray, batch_size: int = 256) -> dict[str, float]:
        """Loss and metrics on ``(x, y)`` in eval mode, computed in batches."""
        _check_count("batch_size", batch_size)
        data = checked_arrays(self.model, self.loss, x, y, "evaluation data")
        loss, metrics = _evaluate(self, data, batch_size, _prediction_buffer(self, len(data[0])))
        return {"loss": loss, **metrics}

    def _tracker(self, settings: EarlyStopping | None, has_validation: bool) -> EarlyStoppingTracker | None:
        if settings is None:
            return None
        directions = {"loss": False, **{m.kind_name(): m.higher_is_better for m in self.metrics}}
        if has_validation:
            directions.update({f"val_{name}": up for name, up in list(directions.items())})
        if settings.monitor not in directions:
            raise ConfigError(
                f"early stopping monitors '{settings.monitor}', which this run does not log. "
                f"Expected one of: {sorted(directions)}"
            )
        maximize = directions[settings.monitor] if settings.mode == "auto" else settings.mode == "max"
        return EarlyStoppingTracker(settings, maximize)


class _Run:
    """The state of one ``fit`` call: data, counters, buffers, and the loop itself."""

    def __init__(
        self, trainer: Trainer, train: Arrays, validation: Arrays | None, epochs: int, batch_size: int,
        order: EpochOrder,
    ) -> None:
        self.trainer, self.model, self.loss = trainer, trainer.model, trainer.loss
        self.control = trainer.control
        self.validation, self.epochs, self.batch_size, self.order = validation, epochs, batch_size, order
        self.samples = len(train[0])
        self.batches_per_epoch = -(-self.samples // batch_size)
        self.total_steps = epochs * self.batches_per_epoch
        self.base_lr = float(trainer.optimizer.config["learning_rate"])
        self.step = self.seen = 0
        self.lr = self.base_lr
        self.paused_seconds = 0.0
        self.divergence = DivergenceWatch(expected_initial_loss(self.loss, output_units(self.model)))
        self.hooks = {name: _bound(trainer.callbacks, name) for name in CALLBACK_METHODS}
        # Parameters are updated in place; gradients are looked up per batch because a layer may
        # rebind its ``grads`` entries instead of writing into them.
        layers = [(name, trainer.model.layers[name]) for name in trainer.model.order]
        self.params = trainer.model.parameters()
        self.grad_slots = [(f"{n}/{p}", layer.grads, p) for n, layer in layers for p in layer.params]
        # Non-trainable state (BatchNorm's running averages) moves during forward: a copy taken
        # before each batch restores it when the batch turns out non-finite.
        self.state_backups = [(a, np.empty_like(a)) for _, layer in layers for a in layer.state.values()]
        self.train_predictions = _prediction_buffer(trainer, self.samples)
        self.val_predictions = None if validation is None else _prediction_buffer(trainer, len(validation[0]))

    def execute(self, seed: int, tracker: EarlyStoppingTracker | None) -> History:
        history = History()
        info = RunInfo(
            epochs=self.epochs,
            batch_size=self.batch_size,
            batches_per_epoch=self.batches_per_epoch,
            total_steps=self.total_steps,
            train_samples=self.samples,
            validation_samples=0 if self.validation is None else len(self.validation[0]),
            parameter_keys=tuple(key for key, _, _ in self.grad_slots),
            metric_names=tuple(metric.kind_name() for metric in self.trainer.metrics),
            seed=seed,
        )
        _call(self.hooks["on_run_start"], info)
        try:
            # NaN and overflow are caught and reported by the loop: NumPy's warnings would be noise.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                reason = self._epochs(history, tracker)
        except Exception as error:
            history.reason = "error"
            _call(self.hooks["on_run_end"], RunResult("error", history, error))
            raise
        finally:
            self.control.reset()
        if tracker is not None:
            history.best_epoch = tracker.best_epoch
            if tracker.best_weights is not None and reason != "stopped":
                self.model.set_weights(tracker.best_weights)
        history.reason = reason
        _call(self.hooks["on_run_end"], RunResult(reason, history))
        return history

    def _epochs(self, history: History, tracker: EarlyStoppingTracker | None) -> StopReason:
        for epoch in range(1, self.epochs + 1):
            event = self._epoch(epoch)
            if event is None:
                return "stopped"
            history.epochs.append(event)
            diverged = self.divergence.update(epoch, event.loss)
            if history.divergence is None:
                history.divergence = diverged
            stop_early = tracker is not None and tracker.update(epoch, event.logs, self.model.get_weights)
            _call(self.hooks["on_epoch_end"], event)
            if stop_early:
                return "early_stopping"
        return "completed"

    def _epoch(self, epoch: int) -> EpochEvent | None:
        """Train one epoch and validate; None when a stop request ended it early."""
        started, paused_before = time.perf_counter(), self.paused_seconds
        ys = self.order.next_epoch()
        loss = self._train_batches(epoch, ys)
        if loss is None:
            return None
        train_seconds = time.perf_counter() - started - (self.paused_seconds - paused_before)
        metrics = _metrics(self.trainer.metrics, self.train_predictions, ys)
        val_loss, val_metrics = None, {}
        if self.validation is not None:
            val_loss, val_metrics = _evaluate(
                self.trainer, self.validation, self.batch_size, self.val_predictions
            )
        seconds = time.perf_counter() - started - (self.paused_seconds - paused_before)
        return EpochEvent(
            epoch, self.epochs, loss, metrics, val_loss, val_metrics, self.lr, seconds,
            self.samples / train_seconds if train_seconds > 0 else math.inf,
        )

    def _train_batches(self, epoch: int, ys: np.ndarray) -> float | None:
        """The hot loop: one optimizer step per batch. Returns the epoch's mean loss (None: stopped)."""
        model, loss, control, order = self.model, self.loss, self.control, self.order
        optimizer, schedule = self.trainer.optimizer, self.trainer.schedule
        predictions, on_batch = self.train_predictions, self.hooks["on_batch_end"]
        per_epoch, total_steps = self.batches_per_epoch, self.total_steps
        total = 0.0
        for batch, start in enumerate(range(0, self.samples, self.batch_size), start=1):
            if control.needs_attention() and self._handle_requests():
                return None
            stop = min(start + self.batch_size, self.samples)
            for state, backup in self.state_backups:
                np.copyto(backup, state)
            self.lr = lr = float(schedule.rate(self.base_lr, self.step, per_epoch, total_steps))
            output = model.forward(order.batch(start, stop), training=True)
            if predictions is not None:
                predictions[start:stop] = output
            value = loss.forward(output, ys[start:stop])
            if not math.isfinite(value):
                raise self._non_finite(epoch, batch, "the loss")
            if self.step == 0:
                self.divergence.start(value)
            model.backward(loss.backward())
            grads, norms, global_norm = self._gradients(epoch, batch)
            optimizer.step(self.params, grads, lr, global_norm)
            self.step += 1
            self.seen += stop - start
            total += value * (stop - start)
            if on_batch:
                event = BatchEvent(
                    epoch, batch, per_epoch, self.step, value, lr, norms, global_norm, self.seen
                )
                for hook in on_batch:
                    hook(event)
        return total / self.samples

    def _gradients(self, epoch: int, batch: int) -> tuple[dict[str, np.ndarray], dict[str, float], float]:
        """Every gradient and its L2 norm by key, and the global norm; raises if one is not finite."""
        grads, norms, squares = {}, {}, 0.0
        for key, store, name in self.grad_slots:
            grad = store[name]
            square = float(np.vdot(grad, grad))
            grads[key] = grad
            norms[key] = math.sqrt(square)
            squares += square
        if not math.isfinite(squares):
            bad = next((key for key, norm in norms.items() if not math.isfinite(norm)), None)
            raise self._non_finite(epoch, batch, f"the gradient of '{bad}'" if bad else "the gradient norm")
        return grads, norms, math.sqrt(squares)

    def _non_finite(self, epoch: int, batch: int, what: str) -> NonFiniteLossError:
        """The error for a non-finite batch, after putting the model's state back as it was before it."""
        for state, backup in self.state_backups:
            np.copyto(state, backup)
        return NonFiniteLossError(epoch, batch, what)

    def _handle_requests(self) -> bool:
        """Honour a pause, a new learning rate or a stop; True when the run must stop."""
        self.paused_seconds += self.control.wait_while_paused()
        if self.control.stop_requested:
            return True
        lr = self.control.take_learning_rate()
        if lr is not None:
            self.base_lr = lr
            self.trainer.optimizer.config["learning_rate"] = lr
        for (target, name), value in self.control.take_params().items():
            self._set_param(target, name, value)
        return False

    def _set_param(self, target: str, name: str, value: float) -> None:
        """A parameter changed mid-run, checked against its component's schema (ConfigError names it)."""
        component = self.trainer.optimizer if target == OPTIMIZER else self.model.layers.get(target)
        if component is None:
            raise ConfigError(f"no node '{target}' in the model to set '{name}' of")
        spec = next((spec for spec in component.schema if spec.name == name), None)
        if spec is None or spec.kind != "float":
            raise ConfigError(f"{component.kind_name()} has no numeric parameter '{name}' to change "
                              f"during a run. Expected one of: "
                              f"{sorted(s.name for s in component.schema if s.kind == 'float')}")
        component.config[name] = spec.validate(value, f"{target}.{name}")


def _evaluate(
    trainer: Trainer, data: Arrays, batch_size: int, predictions: np.ndarray | None
) -> tuple[float, dict[str, float]]:
    """Mean loss and metrics of ``trainer.model`` on ``data`` in eval mode, batch by batch."""
    x, y = data
    total = 0.0
    for start in range(0, len(x), batch_size):
        stop = min(start + batch_size, len(x))
        output = trainer.model.forward(x[start:stop], training=False)
        if predictions is not None:
            predictions[start:stop] = output
        total += trainer.loss.forward(output, y[start:stop]) * (stop - start)
    return total / len(x), _metrics(trainer.metrics, predictions, y)


def _metrics(metrics: list[Metric], predictions: np.ndarray | None, y: np.ndarray) -> dict[str, float]:
    if predictions is None:
        return {}
    return {metric.kind_name(): float(metric(predictions, y)) for metric in metrics}


def _prediction_buffer(trainer: Trainer, count: int) -> np.ndarray | None:
    """Room for one pass's outputs, so metrics come from the predictions already made (None: no metrics)."""
    if not trainer.metrics:
        return None
    return np.empty((count, *trainer.model.output_shape), dtype=trainer.model.dtype)


def _bound(callbacks: list[object], method: str) -> list[Callable]:
    return [hook for callback in callbacks if (hook := getattr(callback, method, None)) is not None]


def _call(hooks: list[Callable], argument: object) -> None:
    for hook in hooks:
        hook(argument)


def _check_count(name: str, value: int, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"{name} must be a whole number >= {minimum}. Received: {value!r}")
