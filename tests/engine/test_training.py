"""The training loop: learning, reproducibility, callbacks, control from another thread, failures."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from desktop_app.engine import (
    BUILTIN_LAYERS,
    SGD,
    Adam,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    ConfigError,
    EarlyStopping,
    Layer,
    LayerError,
    MeanSquaredError,
    Model,
    NodeSpec,
    NonFiniteLossError,
    ShapeError,
    StepDecay,
    Trainer,
    TrainingControl,
    stack,
)
from desktop_app.engine.early_stopping import EarlyStoppingTracker
from desktop_app.engine.fit_data import EpochOrder, split_indices
from desktop_app.engine.schema import ParamSpec, schema

LAYERS = {cls.type_name: cls for cls in BUILTIN_LAYERS}
WAIT = 30.0  # seconds a test waits for another thread before failing (never reached when it works)


class Faulty(Layer):
    """Identity layer that misbehaves on its ``at_call``-th training forward pass (a test plugin)."""

    type_name = "Faulty"
    schema = schema(
        ParamSpec("at_call", "int", 3, minimum=1),
        ParamSpec("fault", "choice", "raise", choices=("raise", "nan_output", "nan_grad")),
    )

    def __init__(self, **config) -> None:
        super().__init__(**config)
        self.calls = 0

    def output_shape(self, *input_shapes):
        return input_shapes[0]

    def forward(self, x, training=False):
        self.calls += training
        if training and self.calls == self.config["at_call"]:
            if self.config["fault"] == "raise":
                raise RuntimeError("sensor unplugged")
            if self.config["fault"] == "nan_output":
                return x * np.nan
        return x

    def backward(self, grad):
        if self.calls == self.config["at_call"] and self.config["fault"] == "nan_grad":
            return (grad * np.inf,)
        return (grad,)


class Recorder:
    """Keeps every event, and optionally a copy of the weights after each step."""

    def __init__(self, model: Model | None = None, on_batch=None) -> None:
        self.model, self.on_batch = model, on_batch
        self.info, self.batches, self.epochs, self.results, self.weights = None, [], [], [], []

    def on_run_start(self, info):
        self.info = info

    def on_batch_end(self, event):
        self.batches.append(event)
        if self.model is not None:
            self.weights.append(self.model.get_weights())
        if self.on_batch is not None:
            self.on_batch(event)

    def on_epoch_end(self, event):
        self.epochs.append(event)

    def on_run_end(self, result):
        self.results.append(result)


def quadrants(count: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """2-D points labelled by the sign of x0 * x1 (XOR of the quadrants): not linearly separable."""
    x = np.random.default_rng(seed).uniform(-1, 1, (count, 2)).astype(np.float32)
    return x, (x[:, 0] * x[:, 1] > 0).astype(np.int64)


def mlp(seed: int = 0, dtype: str = "float32", extra: tuple = ()) -> Model:
    return Model(
        stack((2,), ("Dense", {"units": 16}), ("ReLU", {}), *extra, ("Dense", {"units": 16}), ("ReLU", {}),
              ("Dense", {"units": 2})),
        {**LAYERS, "Faulty": Faulty},
        dtype=dtype,
        seed=seed,
    )


def weights_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


# --- learning ------------------------------------------------------------------------------------
def test_loss_falls_and_accuracy_rises_on_a_toy_problem():
    x, y = quadrants()
    model = mlp()
    history = Trainer(model, CategoricalCrossentropy(), Adam(learning_rate=0.02)).fit(
        x, y, epochs=40, batch_size=32, validation_split=0.25
    )
    losses = history.series("loss")
    assert history.reason == "completed" and len(history.epochs) == 40
    assert losses[-1] < 0.3 * losses[0]
    assert history.series("accuracy")[-1] > 0.9
    assert history.series("val_accuracy")[-1] > 0.85


def test_binary_and_regression_tasks_train_with_their_default_metrics():
    x, labels = quadrants()
    binary = Model(stack((2,), ("Dense", {"units": 16}), ("Tanh", {}), ("Dense", {"units": 1})), LAYERS)
    history = Trainer(binary, BinaryCrossentropy(), Adam(learning_rate=0.03)).fit(
        x, labels.astype(np.float32), epochs=40, batch_size=32, validation_split=0.25
    )
    assert list(history.epochs[-1].metrics) == ["accuracy"]
    assert history.series("val_accuracy")[-1] > 0.85
    target = np.sin(3 * x[:, :1]) + x[:, 1:] ** 2
    regressor = Model(stack((2,), ("Dense", {"units": 16}), ("Tanh", {}), ("Dense", {"units": 1})), LAYERS)
    history = Trainer(regressor, MeanSquaredError(), Adam(learning_rate=0.03)).fit(
        x, target, epochs=40, batch_size=32, validation_split=0.25
    )
    assert list(history.epochs[-1].metrics) == ["mae", "r2"]
    assert history.series("val_r2")[-1] > 0.9
    assert history.series("val_mae")[-1] < 0.5 * history.series("val_mae")[0]


def test_float64_models_train_in_float64_and_float32_stays_float32():
    x, y = quadrants(64)
    for dtype in ("float32", "float64"):
        model = mlp(dtype=dtype)
        optimizer = SGD(learning_rate=0.1, momentum=0.9)
        Trainer(model, CategoricalCrossentropy(), optimizer).fit(x, y, epochs=2, batch_size=16)
        arrays = [*model.parameters().values(), *model.gradients().values()]
        arrays += [slot for slots in optimizer.slots.values() for slot in slots.values()]
        assert {a.dtype for a in arrays} == {np.dtype(dtype)}


# --- reproducibility -----------------------------------------------------------------------------
def _train(model_seed: int, fit_seed: int) -> dict:
    x, y = quadrants()
    model = mlp(seed=model_seed)
    Trainer(model, CategoricalCrossentropy(), Adam(learning_rate=0.01)).fit(
        x, y, epochs=3, batch_size=32, seed=fit_seed, validation_split=0.2
    )
    return model.get_weights()


def test_same_seeds_give_identical_weights_and_other_seeds_do_not():
    reference = _train(1, 5)
    assert weights_equal(reference, _train(1, 5))
    assert not weights_equal(reference, _train(1, 6))  # other shuffles and split
    assert not weights_equal(reference, _train(2, 5))  # other initial weights


def test_validation_split_is_seeded_disjoint_and_keeps_order():
    train, val = split_indices(50, 0.2, seed=3)
    assert len(val) == 10 and len(train) == 40
    assert sorted([*train, *val]) == list(range(50))
    assert np.all(np.diff(train) > 0) and np.all(np.diff(val) > 0)
    again, _ = split_indices(50, 0.2, seed=3)
    other, _ = split_indices(50, 0.2, seed=4)
    assert np.array_equal(train, again) and not np.array_equal(train, other)
    assert len(split_indices(5, 0.0, 0)[1]) == 0 and len(split_indices(5, 0.01, 0)[1]) == 1


def test_epoch_order_shuffles_pairs_together_or_keeps_the_order():
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    order = EpochOrder(x, y, True, np.random.default_rng(0), batch_size=4)
    ys = order.next_epoch()
    first = ys.copy()
    assert sorted(first) == list(range(10)) and not np.array_equal(first, y)
    xs = np.concatenate([order.batch(start, min(start + 4, 10)).copy() for start in range(0, 10, 4)])
    assert np.array_equal(xs[:, 0], 2 * ys)
    assert not np.array_equal(order.next_epoch(), first)  # a new permutation every epoch
    assert np.array_equal(x, np.arange(20).reshape(10, 2))  # the source arrays are untouched
    kept = EpochOrder(x, y, False, np.random.default_rng(0), batch_size=4)
    assert kept.next_epoch() is y
    assert np.shares_memory(kept.batch(4, 8), x) and np.array_equal(kept.batch(4, 8), x[4:8])


def test_run_info_counts_samples_batches_and_steps():
    x, y = quadrants(50)
    recorder = Recorder()
    trainer = Trainer(mlp(), CategoricalCrossentropy(), SGD(learning_rate=0.0), callbacks=[recorder])
    trainer.fit(x, y, epochs=2, batch_size=8, validation_split=0.2, seed=3)
    info = recorder.info
    assert (info.train_samples, info.validation_samples) == (40, 10)
    assert (info.batches_per_epoch, info.total_steps, info.epochs, info.seed) == (5, 10, 2, 3)
    assert info.metric_names == ("accuracy",)
    assert [b.samples_seen for b in recorder.batches] == [8, 16, 24, 32, 40, 48, 56, 64, 72, 80]


def test_train_metrics_come_from_the_batches_predictions():
    # With a zero learning rate the weights never move, so the epoch's train loss and accuracy
    # (gathered batch by batch while training) must equal an evaluation of the whole set.
    x, y = quadrants(100)
    trainer = Trainer(mlp(), CategoricalCrossentropy(), SGD(learning_rate=0.0))
    history = trainer.fit(x, y, epochs=1, batch_size=7, validation_data=(x[:30], y[:30]))
    full = trainer.evaluate(x, y)
    assert history.series("loss")[0] == pytest.approx(full["loss"], rel=1e-6)
    assert history.series("accuracy")[0] == full["accuracy"]
    held_out = trainer.evaluate(x[:30], y[:30], batch_size=4)
    assert history.series("val_loss")[0] == pytest.approx(held_out["loss"], rel=1e-6)
    assert history.series("val_accuracy")[0] == held_out["accuracy"]


# --- callbacks -----------------------------------------------------------------------------------
def test_batch_events_report_every_parameters_gradient_norm():
    x, y = quadrants(64)
    model = mlp()
    grads_seen = []
    recorder = Recorder(on_batch=lambda event: grads_seen.append(
        {k: g.copy() for k, g in model.gradients().items()}
    ))
    Trainer(model, CategoricalCrossentropy(), SGD(learning_rate=0.1), callbacks=[recorder]).fit(
        x, y, epochs=2, batch_size=16
    )
    keys = [f"dense_{i}/{p}" for i in (1, 3, 5) for p in ("kernel", "bias")]
    assert list(recorder.info.parameter_keys) == keys
    assert len(recorder.batches) == 8
    for event, grads in zip(recorder.batches, grads_seen, strict=True):
        assert list(event.grad_norms) == keys
        for key in keys:
            assert event.grad_norms[key] == pytest.approx(float(np.linalg.norm(grads[key])), rel=1e-5)
        assert event.global_norm == pytest.approx(math.sqrt(sum(n * n for n in event.grad_norms.values())))
        assert event.lr == 0.1 and event.batches_per_epoch == 4
    assert [(b.epoch, b.batch, b.step) for b in recorder.batches[3:5]] == [(1, 4, 4), (2, 1, 5)]
    assert [e.epoch for e in recorder.epochs] == [1, 2]
    epoch = recorder.epochs[1]
    assert epoch.loss == pytest.approx(np.mean([b.loss for b in recorder.batches[4:]]))
    assert epoch.val_loss is None and epoch.seconds > 0 and epoch.samples_per_second > 0
    assert [r.reason for r in recorder.results] == ["completed"]


def test_callbacks_may_implement_only_some_methods():
    class OnlyEpochs:
        def __init__(self):
            self.count = 0

        def on_epoch_end(self, event):
            self.count += 1

    only = OnlyEpochs()
    x, y = quadrants(32)
    Trainer(mlp(), CategoricalCrossentropy(), SGD(), callbacks=[only]).fit(x, y, epochs=3, batch_size=8)
    assert only.count == 3


def test_schedule_sets_each_batch_learning_rate():
    x, y = quadrants(32)
    recorder = Recorder()
    trainer = Trainer(mlp(), CategoricalCrossentropy(), SGD(learning_rate=0.4),
                      schedule=StepDecay(step_size=1, gamma=0.5), callbacks=[recorder])
    history = trainer.fit(x, y, epochs=3, batch_size=16)
    assert [b.lr for b in recorder.batches] == [0.4, 0.4, 0.2, 0.2, 0.1, 0.1]
    assert history.series("lr") == [0.4, 0.2, 0.1]


def test_history_columns_for_csv():
    x, y = quadrants(32)
    history = Trainer(mlp(), CategoricalCrossentropy(), SGD()).fit(
        x, y, epochs=2, batch_size=8, validation_split=0.25
    )
    columns = history.columns()
    assert list(columns) == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds",
                             "samples_per_second"]
    assert columns["epoch"] == [1, 2]
    with pytest.raises(KeyError, match="no 'val_mae' in the history"):
        history.series("val_mae")


# --- control from another thread -----------------------------------------------------------------
class StepGate:
    """Sets an event once the run has taken ``step`` steps (tests wait on it, never sleep)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting: list[tuple[int, threading.Event]] = []
        self.steps = 0

    def reached(self, step: int) -> threading.Event:
        event = threading.Event()
        with self.lock:
            if self.steps >= step:
                event.set()
            else:
                self.waiting.append((step, event))
        return event

    def on_batch_end(self, event) -> None:
        with self.lock:
            self.steps = event.step
            for step, waiter in self.waiting:
                if event.step >= step:
                    waiter.set()


def _start_long_run(trainer: Trainer) -> tuple[threading.Thread, dict]:
    x, y = quadrants(64)
    outcome: dict = {}

    def run():
        outcome["history"] = trainer.fit(x, y, epochs=100_000, batch_size=8)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_pause_resume_and_stop_from_another_thread():
    model, gate = mlp(), StepGate()
    trainer = Trainer(model, CategoricalCrossentropy(), SGD(learning_rate=0.05), callbacks=[gate])
    thread, outcome = _start_long_run(trainer)
    assert gate.reached(5).wait(WAIT)
    trainer.control.pause()
    assert trainer.control.wait_until_paused(WAIT)
    assert trainer.control.paused and thread.is_alive()
    parked_step, parked_weights = gate.steps, model.get_weights()
    assert gate.steps == parked_step  # the training thread is blocked on the event
    trainer.control.resume()
    assert gate.reached(parked_step + 20).wait(WAIT)
    trainer.control.stop()
    thread.join(WAIT)
    assert not thread.is_alive()
    history = outcome["history"]
    assert history.reason == "stopped"
    assert gate.steps >= parked_step + 20
    assert not weights_equal(parked_weights, model.get_weights())
    assert not trainer.control.stop_requested  # consumed by the run it stopped


def test_stop_releases_a_paused_run_and_keeps_its_weights():
    model, gate, recorder = mlp(), StepGate(), Recorder()
    trainer = Trainer(model, CategoricalCrossentropy(), SGD(learning_rate=0.05), callbacks=[gate, recorder])
    thread, outcome = _start_long_run(trainer)
    assert gate.reached(3).wait(WAIT)
    trainer.control.pause()
    assert trainer.control.wait_until_paused(WAIT)
    parked_weights = model.get_weights()
    trainer.control.stop()
    thread.join(WAIT)
    assert not thread.is_alive()
    assert outcome["history"].reason == "stopped"
    assert [r.reason for r in recorder.results] == ["stopped"]
    assert weights_equal(parked_weights, model.get_weights())


def test_a_stop_requested_before_the_run_is_honoured_then_forgotten():
    x, y = quadrants(32)
    model = mlp()
    before = model.get_weights()
    control = TrainingControl()
    control.stop()
    trainer = Trainer(model, CategoricalCrossentropy(), SGD(), control=control)
    history = trainer.fit(x, y, epochs=3, batch_size=8)
    assert history.reason == "stopped" and history.epochs == []
    assert weights_equal(before, model.get_weights())
    assert trainer.fit(x, y, epochs=2, batch_size=8).reason == "completed"  # training after a stop


def test_set_learning_rate_takes_effect_at_the_next_batch():
    x, y = quadrants(64)
    optimizer = SGD(learning_rate=0.1)
    trainer = Trainer(mlp(), CategoricalCrossentropy(), optimizer)
    recorder = Recorder(on_batch=lambda e: e.step == 3 and trainer.control.set_learning_rate(0.025))
    trainer.callbacks.append(recorder)
    trainer.fit(x, y, epochs=2, batch_size=16)
    assert [b.lr for b in recorder.batches] == [0.1, 0.1, 0.1, 0.025, 0.025, 0.025, 0.025, 0.025]
    assert optimizer.config["learning_rate"] == 0.025
    with pytest.raises(ConfigError, match=r"Received: nan"):
        trainer.control.set_learning_rate(float("nan"))


def test_a_learning_rate_requested_too_late_for_a_run_does_not_reach_the_next():
    x, y = quadrants(32)
    trainer = Trainer(mlp(), CategoricalCrossentropy(), SGD(learning_rate=0.1))
    recorder = Recorder(on_batch=lambda e: e.step == 2 and trainer.control.set_learning_rate(0.5))
    trainer.callbacks.append(recorder)
    trainer.fit(x, y, epochs=1, batch_size=16)  # step 2 is the last: no batch is left to take 0.5
    trainer.callbacks.remove(recorder)
    later = Recorder()
    trainer.callbacks.append(later)
    trainer.fit(x, y, epochs=1, batch_size=16)
    assert [b.lr for b in later.batches] == [0.1, 0.1]
    assert trainer.control.take_learning_rate() is None


def test_set_learning_rate_rescales_the_schedule():
    x, y = quadrants(32)
    trainer = Trainer(mlp(), CategoricalCrossentropy(), SGD(learning_rate=1.0),
                      schedule=StepDecay(step_size=1, gamma=0.5))
    recorder = Recorder(on_batch=lambda e: e.step == 2 and trainer.control.set_learning_rate(0.4))
    trainer.callbacks.append(recorder)
    trainer.fit(x, y, epochs=3, batch_size=16)
    assert [b.lr for b in recorder.batches] == [1.0, 1.0, 0.2, 0.2, 0.1, 0.1]


# --- failures ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fault", "what"),
    [("nan_output", "the loss"), ("nan_grad", "the gradient of 'dense_1/kernel'")],
)
def test_non_finite_values_stop_before_the_step_with_the_last_finite_weights(fault, what):
    x, y = quadrants(64)
    model = mlp(extra=(("Faulty", {"at_call": 7, "fault": fault}),))  # 4 batches/epoch: epoch 2, batch 3
    recorder = Recorder(model)
    trainer = Trainer(model, CategoricalCrossentropy(), SGD(learning_rate=0.1), callbacks=[recorder])
    with pytest.raises(NonFiniteLossError, match=f"{what} became non-finite at epoch 2, batch 3") as caught:
        trainer.fit(x, y, epochs=5, batch_size=16)
    assert (caught.value.epoch, caught.value.batch) == (2, 3)
    assert len(recorder.batches) == 6
    assert weights_equal(recorder.weights[-1], model.get_weights())
    assert all(np.isfinite(w).all() for w in model.get_weights().values())
    [result] = recorder.results
    assert result.reason == "error" and result.error is caught.value
    assert len(result.history.epochs) == 1


def test_a_non_finite_batch_leaves_batchnorm_statistics_as_they_were():
    x, y = quadrants(64)
    model = Model(
        stack((2,), ("Dense", {"units": 8}), ("Faulty", {"at_call": 6, "fault": "nan_output"}),
              ("BatchNorm", {}), ("ReLU", {}), ("Dense", {"units": 2})),
        {**LAYERS, "Faulty": Faulty},
    )
    recorder = Recorder(model)
    trainer = Trainer(model, CategoricalCrossentropy(), SGD(learning_rate=0.1), callbacks=[recorder])
    with pytest.raises(NonFiniteLossError, match="epoch 2, batch 2"):
        trainer.fit(x, y, epochs=3, batch_size=16)
    state = {k: v for k, v in model.get_weights().items() if "running" in k}
    assert set(state) == {"batchnorm_3/running_mean", "batchnorm_3/running_var"}
    assert all(np.isfinite(v).all() for v in state.values())
    assert weights_equal(recorder.weights[-1], model.get_weights())


def test_exploding_learning_rate_stops_cleanly():
    x, y = quadrants(64)
    model = mlp()
    recorder = Recorder(model)
    trainer = Trainer(model, CategoricalCrossentropy(), SGD(learning_rate=1e30), callbacks=[recorder])
    with pytest.raises(NonFiniteLossError, match=r"at epoch \d+, batch \d+"):
        trainer.fit(x, y, epochs=50, batch_size=8)
    assert recorder.weights  # the first steps were finite
    assert weights_equal(recorder.weights[-1], model.get_weights())


def test_a_raising_layer_becomes_a_layer_error_naming_the_node():
    x, y = quadrants(64)
    model = mlp(extra=(("Faulty", {"at_call": 3}),))
    recorder = Recorder(model)
    trainer = Trainer(model, CategoricalCrossentropy(), SGD(learning_rate=0.1), callbacks=[recorder])
    with pytest.raises(LayerError, match=r"layer 'faulty_3' \(Faulty\) failed in forward: "
                                         r"RuntimeError: sensor unplugged") as caught:
        trainer.fit(x, y, epochs=2, batch_size=16)
    assert (caught.value.node, caught.value.layer_type) == ("faulty_3", "Faulty")
    assert recorder.results[0].reason == "error" and recorder.results[0].error is caught.value
    assert weights_equal(recorder.weights[-1], model.get_weights())


def test_a_raising_callback_ends_the_run_as_an_error():
    class Broken:
        def on_batch_end(self, event):
            raise KeyError("plot gone")

    recorder = Recorder()
    x, y = quadrants(32)
    trainer = Trainer(mlp(), CategoricalCrossentropy(), SGD(), callbacks=[Broken(), recorder])
    with pytest.raises(KeyError, match="plot gone"):
        trainer.fit(x, y, epochs=1, batch_size=8)
    assert recorder.results[0].reason == "error"


@pytest.mark.parametrize(
    ("x", "y", "error", "message"),
    [
        (np.zeros((8, 3)), np.zeros(8, int), ShapeError,
         r"training data: the model's input 'input' takes samples of shape \(2,\).*"
         r"Received x of shape \(8, 3\)"),
        (np.zeros((8, 2)), np.zeros(7, int), ShapeError, r"Received 8 inputs and targets of shape \(7,\)"),
        (np.zeros((8, 2)), np.array([0, 1, 2, 0, 0, 0, 0, 0]), ShapeError,
         r"labels up to 2, so the model must output shape \(3,\).*Received model output shape \(2,\)"),
        (np.array([[0, 0]] * 3 + [[0, np.nan]] + [[0, 0]] * 4), np.zeros(8, int), ConfigError,
         r"x holds NaN or infinite values \(1 in all; the first in sample 3\)"),
        (np.zeros((0, 2)), np.zeros(0, int), ConfigError, "there are no samples"),
    ],
    ids=["x-shape", "lengths", "label-range", "nan", "empty"],
)
def test_bad_data_is_refused_before_the_run_starts(x, y, error, message):
    recorder = Recorder()
    trainer = Trainer(mlp(), CategoricalCrossentropy(), SGD(), callbacks=[recorder])
    with pytest.raises(error, match=message):
        trainer.fit(x, y, epochs=1, batch_size=4)
    assert recorder.info is None and recorder.results == []


def test_regression_targets_are_checked_against_the_output():
    model = Model(stack((2,), ("Dense", {"units": 1})), LAYERS)
    x = np.ones((4, 2))
    trainer = Trainer(model, MeanSquaredError(), SGD())
    assert trainer.fit(x, np.ones(4), epochs=1, batch_size=2).reason == "completed"  # (N,) for (N, 1)
    with pytest.raises(ShapeError, match=r"validation data \(mse\) has targets of shape \(3,\); the model "
                                         r"must output that shape\. Received model output shape \(1,\)"):
        trainer.fit(x, np.ones((4, 1)), epochs=1, batch_size=2, validation_data=(x, np.ones((4, 3))))
    with pytest.raises(ConfigError, match=r"y holds NaN"):
        trainer.fit(x, np.array([1.0, np.inf, 0.0, 0.0]), epochs=1, batch_size=2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0, "batch_size": 4}, r"epochs must be a whole number >= 1\. Received: 0"),
        ({"epochs": 1, "batch_size": 2.5}, r"batch_size must be a whole number >= 1\. Received: 2.5"),
        ({"epochs": 1, "batch_size": 4, "validation_split": 1.0}, r"validation_split must be in \[0, 1\)"),
        ({"epochs": 1, "batch_size": 4, "validation_split": 0.2, "validation_data": (np.zeros((2, 2)),
          np.zeros(2, int))}, "not both"),
        ({"epochs": 1, "batch_size": 4, "validation_split": 0.99}, "leaves no training samples out of"),
        ({"epochs": 1, "batch_size": 4, "early_stopping": EarlyStopping()},
         r"early stopping monitors 'val_loss', which this run does not log\. Expected one of: "
         r"\['accuracy', 'loss'\]"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    x, y = quadrants(16)
    with pytest.raises(ConfigError, match=message):
        Trainer(mlp(), CategoricalCrossentropy(), SGD()).fit(x, y, **kwargs)


def test_trainer_refuses_models_with_several_outputs():
    nodes = [NodeSpec("in", "Input", {"shape": [2]}), NodeSpec("a", "Dense", {"units": 1}, ["in"]),
             NodeSpec("b", "Dense", {"units": 1}, ["in"])]
    with pytest.raises(ConfigError, match=r"one input and one output\. Received inputs \['in'\] and "
                                          r"outputs \['a', 'b'\]"):
        Trainer(Model(nodes, LAYERS), MeanSquaredError(), SGD())


# --- early stopping ------------------------------------------------------------------------------
def test_early_stopping_restores_the_best_weights():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)
    model = Model(stack((3,), ("Dense", {"units": 1})), LAYERS)
    snapshots = {}

    class Sabotage:
        """Records the weights each epoch; after epoch 3 makes the learning rate explode."""

        def on_epoch_end(self, event):
            snapshots[event.epoch] = model.get_weights()
            if event.epoch == 3:
                trainer.control.set_learning_rate(5.0)

    trainer = Trainer(model, MeanSquaredError(), SGD(learning_rate=0.1), callbacks=[Sabotage()])
    history = trainer.fit(x, y, epochs=50, batch_size=64, validation_data=(x, y),
                          early_stopping=EarlyStopping(monitor="val_loss", patience=2))
    val = history.series("val_loss")
    assert val[0] > val[1] > val[2] and val[3] > val[2] and val[4] > val[2]
    assert history.reason == "early_stopping" and len(history.epochs) == 5 and history.best_epoch == 3
    assert weights_equal(model.get_weights(), snapshots[3])


def test_early_stopping_can_keep_the_last_weights():
    x, y = quadrants(32)
    model = mlp()
    recorder = Recorder(model)
    trainer = Trainer(model, CategoricalCrossentropy(), SGD(learning_rate=0.05), callbacks=[recorder])
    # "loss" is the epoch's mean train loss; min_delta=10 makes any real training count as no gain.
    settings = EarlyStopping(monitor="loss", patience=1, min_delta=10.0, restore_best_weights=False)
    history = trainer.fit(x, y, epochs=10, batch_size=8, early_stopping=settings)
    assert history.reason == "early_stopping" and len(history.epochs) == 2 and history.best_epoch == 1
    assert weights_equal(model.get_weights(), recorder.weights[-1])


@pytest.mark.parametrize(
    ("settings", "maximize", "values", "stop_at", "best"),
    [
        (EarlyStopping(patience=2), False, [3.0, 2.0, 2.5, 1.9, 2.0, 2.1], 6, 4),
        (EarlyStopping(patience=2, min_delta=0.2), False, [3.0, 2.0, 1.9, 1.85, 1.7], 4, 2),
        (EarlyStopping(monitor="val_accuracy", patience=1), True, [0.5, 0.7, 0.6, 0.9], 3, 2),
        (EarlyStopping(patience=1, mode="max"), True, [1.0, 2.0, 3.0, 2.0], 4, 3),
        (EarlyStopping(patience=3), False, [math.nan, 2.0, math.nan, math.nan, math.nan], 5, 2),
    ],
    ids=["min", "min-delta", "max", "mode-max", "nan-never-improves"],
)
def test_early_stopping_tracker(settings, maximize, values, stop_at, best):
    tracker = EarlyStoppingTracker(settings, maximize)
    for epoch, value in enumerate(values, start=1):
        stop = tracker.update(epoch, {settings.monitor: value}, lambda epoch=epoch: {"epoch": epoch})
        if stop:
            break
    assert (epoch, tracker.best_epoch, tracker.best_weights) == (stop_at, best, {"epoch": best})
    assert stop


def test_early_stopping_settings_are_checked():
    with pytest.raises(ConfigError, match=r"patience must be a whole number >= 0\. Received: -1"):
        EarlyStopping(patience=-1)
    with pytest.raises(ConfigError, match="mode must be"):
        EarlyStopping(mode="up")


# --- graphs --------------------------------------------------------------------------------------
def _graph_trains(nodes: list[NodeSpec]) -> None:
    x, y = quadrants(256, seed=2)
    model = Model(nodes, LAYERS, seed=0)
    recorder = Recorder()
    history = Trainer(model, CategoricalCrossentropy(), Adam(learning_rate=0.02), callbacks=[recorder]).fit(
        x, y, epochs=40, batch_size=32
    )
    assert history.series("loss")[-1] < 0.3 * history.series("loss")[0]
    assert history.series("accuracy")[-1] > 0.9
    first = recorder.batches[0].grad_norms
    assert set(first) == set(model.parameters()) and all(norm > 0 for norm in first.values())


def test_a_residual_network_with_add_trains():
    _graph_trains([
        NodeSpec("input", "Input", {"shape": [2]}),
        NodeSpec("stem", "Dense", {"units": 16}, ["input"]),
        NodeSpec("stem_relu", "ReLU", {}, ["stem"]),
        NodeSpec("branch", "Dense", {"units": 16}, ["stem_relu"]),
        NodeSpec("branch_relu", "ReLU", {}, ["branch"]),
        NodeSpec("skip", "Add", {}, ["stem_relu", "branch_relu"]),
        NodeSpec("head", "Dense", {"units": 2}, ["skip"]),
    ])


def test_a_branching_network_with_concatenate_trains():
    _graph_trains([
        NodeSpec("input", "Input", {"shape": [2]}),
        NodeSpec("left", "Dense", {"units": 12}, ["input"]),
        NodeSpec("left_relu", "ReLU", {}, ["left"]),
        NodeSpec("right", "Dense", {"units": 12}, ["input"]),
        NodeSpec("right_tanh", "Tanh", {}, ["right"]),
        NodeSpec("join", "Concatenate", {}, ["left_relu", "right_tanh"]),
        NodeSpec("head", "Dense", {"units": 2}, ["join"]),
    ])
