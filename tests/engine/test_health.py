"""Health rules on networks built to show each problem: each fires within a stated number of steps
(or epochs), and healthy runs fire none. The shipped examples are checked in test_health_examples."""

from __future__ import annotations

import contextlib
import dataclasses
import json

import numpy as np
import pytest

from desktop_app.engine import (
    BUILTIN_LAYERS,
    SGD,
    Adam,
    CategoricalCrossentropy,
    Model,
    NonFiniteLossError,
    Trainer,
    stack,
)
from desktop_app.engine.callbacks import BatchEvent, RunInfo
from desktop_app.engine.health import HealthMonitor, diagnose
from desktop_app.engine.health.monitor import DEAD_WINDOW, LOSS_WINDOW_MIN, MEASURE_EVERY
from desktop_app.engine.health.rules import plateau

LAYERS = {cls.type_name: cls for cls in BUILTIN_LAYERS}
CLASSES = 4


def blobs(samples: int, features: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian clusters, standardized: easy to learn for a healthy network."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, CLASSES, samples)
    x = rng.normal(0, 2, (CLASSES, features))[y] + rng.normal(0, 1, (samples, features))
    return ((x - x.mean(axis=0)) / x.std(axis=0)).astype(np.float32), y


def mlp(*hidden: tuple[str, dict], features: int = 8) -> Model:
    return Model(stack((features,), *hidden, ("Dense", {"units": CLASSES})), LAYERS)


def train(model: Model, optimizer, steps: int, batch_size: int = 32, data=None, every: int = MEASURE_EVERY,
          each_step: bool = False, **fit) -> tuple[list | dict[int, list], HealthMonitor]:
    """Train for ``steps`` optimizer steps (one epoch of them) and return the hints and the monitor
    (with ``each_step``, the hints after every step: a dict by step)."""
    x, y = data if data is not None else blobs(steps * batch_size)
    monitor = HealthMonitor(model, CategoricalCrossentropy(), every=every, budget=None)
    found: dict[int, list] = {}
    callbacks = [monitor, RulesEachStep(monitor, found)] if each_step else [monitor]
    trainer = Trainer(model, CategoricalCrossentropy(), optimizer, callbacks=callbacks)
    fit = {"epochs": 1, **fit}
    with contextlib.suppress(NonFiniteLossError):  # a diverging run may end in NaN
        trainer.fit(x, y, batch_size=batch_size, seed=0, **fit)
    return (found if each_step else diagnose(monitor.record())), monitor


class RulesEachStep:
    """The hints after each step, as the window's Health tab would show them then, into ``found``."""

    def __init__(self, monitor: HealthMonitor, found: dict[int, list]) -> None:
        self.monitor, self.found = monitor, found

    def on_batch_end(self, event) -> None:
        self.found[event.step] = diagnose(self.monitor.record())


def first_step(found: dict[int, list], rule: str) -> int | None:
    return next((step for step, hints in found.items() if rule in rules(hints)), None)


def rules(hints) -> set[str]:
    return {hint.rule for hint in hints}


def healthy() -> Model:
    return mlp(("Dense", {"units": 32, "kernel_initializer": "he_normal"}), ("ReLU", {}),
               ("Dense", {"units": 32, "kernel_initializer": "he_normal"}), ("ReLU", {}))


def test_a_healthy_network_fires_no_rule():
    hints, monitor = train(healthy(), Adam(learning_rate=1e-3), steps=200)
    assert hints == []
    record = monitor.record()
    assert record.steps.tolist() == [1, *range(MEASURE_EVERY, 201, MEASURE_EVERY)]
    ratios = record.layer("dense_1").values["update_ratio"]
    assert np.all((ratios > 1e-4) & (ratios < 1e-1))  # Adam at 1e-3: near cs231n's 1e-3


def test_the_update_ratio_is_the_step_taken_over_the_weights_before_it():
    model = healthy()
    before = {}

    class Keep:  # the weights before the 10th step, as the monitor's copy should hold them
        def on_batch_end(self, event):
            if event.step == MEASURE_EVERY - 1:
                before.update(model.get_weights())

    monitor = HealthMonitor(model, CategoricalCrossentropy(), budget=None)
    x, y = blobs(MEASURE_EVERY * 32)
    Trainer(model, CategoricalCrossentropy(), SGD(learning_rate=0.1), callbacks=[Keep(), monitor]).fit(
        x, y, epochs=1, batch_size=32, seed=0)
    after = model.get_weights()
    keys = ("dense_1/kernel", "dense_1/bias")
    change = np.sqrt(sum(np.sum((after[k] - before[k]) ** 2) for k in keys))
    size = np.sqrt(sum(np.sum(before[k] ** 2) for k in keys))
    measured = monitor.record().layer("dense_1").values["update_ratio"][-1]
    assert measured == pytest.approx(change / size, rel=1e-5)


def test_a_deep_sigmoid_stack_has_vanishing_gradients_within_30_steps():
    layers = [item for _ in range(8) for item in (("Dense", {"units": 32}), ("Sigmoid", {}))]
    hints, _ = train(mlp(*layers), SGD(learning_rate=0.1), steps=30)
    [hint] = [hint for hint in hints if hint.rule == "vanishing"]
    assert hint.nodes == ("dense_1",) and hint.figure < 1e-2
    assert "at most 0.25" in hint.why and "after the 8 here" in hint.why
    assert hint.fix.action == "replace_with_relu" and len(hint.fix.nodes) == 8


DIVERGES_WITHIN = LOSS_WINDOW_MIN  # steps: the first median of batch losses the rule reads


@pytest.mark.parametrize("optimizer", [SGD, Adam], ids=["sgd", "adam"])
def test_a_learning_rate_of_10_diverges_within_3_steps_of_a_200_step_epoch(optimizer):
    """The epoch's rule waits for the epoch's end (step 200); the batches' median fires at step 3.
    SGD's loss overflows at step 6 and ends the run; Adam's jumps 1e5-fold and stays up."""
    found, monitor = train(healthy(), optimizer(learning_rate=10.0), steps=200, each_step=True)
    assert first_step(found, "diverging") == DIVERGES_WITHIN
    [early] = found[DIVERGES_WITHIN]
    assert early.title.startswith(f"the loss is diverging: at step {DIVERGES_WITHIN} (epoch 1)")
    assert early.figure > 10 * monitor.record().initial_loss
    assert early.fix.action == "scale_learning_rate" and early.fix.value == pytest.approx(0.1)
    # no other hint on the way: the same cause's other symptoms (gradient norm, update ratio) stay quiet
    assert all(rules(hints) <= {"diverging", "dead_relu"} for hints in found.values())
    [final] = [hint for hint in diagnose(monitor.record()) if hint.rule == "diverging"]
    if optimizer is SGD:
        assert "non-finite" in final.title and max(found) == 5
    else:  # once the epoch ended, the hint says what the run's History says
        assert final.title.startswith("the loss diverged at epoch 1: ") and max(found) == 200


def test_one_or_two_odd_batches_in_five_do_not_make_a_divergence():
    """The rule reads the median of the last batch losses: two of five a thousand times the rest
    are odd batches; three are a blow-up."""
    def first_flagged(losses):
        model = mlp()
        monitor = HealthMonitor(model, CategoricalCrossentropy(), budget=None)
        monitor.on_run_start(RunInfo(1, 32, len(losses), len(losses), 32 * len(losses), 0, (), (), 0))
        norms = dict.fromkeys(model.parameters(), 1.0)
        for step, loss in enumerate(losses, start=1):
            monitor.on_batch_end(BatchEvent(1, step, len(losses), step, loss, 0.1, norms, 1.0, 32 * step))
        divergence = monitor.record().step_divergence
        return None if divergence is None else divergence.step

    assert first_flagged([1.4, 1.2, 1.1, 900.0, 800.0, 1.0, 0.9, 0.9, 950.0, 990.0, 0.8]) is None
    assert first_flagged([1.4, 1.2, 1.1, 1.0, 0.9, 900.0, 800.0, 950.0, 990.0]) == 8


def test_a_large_negative_bias_kills_the_relus_within_the_dead_window():
    model = healthy()
    model.layers["dense_1"].params["bias"][:] = -20.0
    hints, monitor = train(model, SGD(learning_rate=0.01), steps=MEASURE_EVERY * (DEAD_WINDOW - 1))
    [hint] = [hint for hint in hints if hint.rule == "dead_relu" and hint.nodes == ("relu_2",)]
    assert hint.figure == 1.0
    assert not rules(hints) & {"vanishing", "learning_rate_low"}  # the zero gradients are explained
    assert hint.fix.action == "he_init" and hint.fix.nodes == ("dense_1",)
    assert monitor.record().steps[-1] == MEASURE_EVERY * (DEAD_WINDOW - 1)


def test_a_tanh_with_a_large_initialization_saturates_within_20_steps():
    model = mlp(("Dense", {"units": 32}), ("Tanh", {}))
    model.layers["dense_1"].params["kernel"][:] *= 20.0
    hints, _ = train(model, SGD(learning_rate=0.01), steps=20)
    [hint] = [hint for hint in hints if hint.rule == "saturated"]
    assert hint.nodes == ("tanh_2",) and hint.figure > 0.5
    assert hint.fix.action == "replace_with_relu" and hint.fix.nodes == ("tanh_2",)


def test_a_wrong_output_bias_scale_shows_in_the_loss_at_the_first_step():
    model = healthy()
    model.layers["dense_5"].params["bias"][:] = np.random.default_rng(1).normal(0, 10, CLASSES)
    hints, monitor = train(model, SGD(learning_rate=0.01), steps=1)
    [hint] = [hint for hint in hints if hint.rule == "initial_loss"]
    assert monitor.record().expected_initial_loss == pytest.approx(np.log(CLASSES))
    assert hint.figure > np.log(CLASSES) + np.log(10) and "ln 4" in hint.title
    assert hint.fix.action == "output_init" and hint.fix.nodes == ("dense_5",)


def test_a_tiny_training_set_overfits_within_40_epochs():
    x, y = blobs(16 + 400, features=8, seed=3)
    rng = np.random.default_rng(0)
    x = x + rng.normal(0, 3, x.shape).astype(np.float32)  # noisy: the 16 samples are memorized
    model = mlp(("Dense", {"units": 128}), ("ReLU", {}), ("Dense", {"units": 128}), ("ReLU", {}))
    hints, _ = train(model, Adam(learning_rate=1e-2), steps=1, batch_size=16, data=(x[:16], y[:16]),
                     epochs=40, validation_data=(x[16:], y[16:]))
    [hint] = [hint for hint in hints if hint.rule == "overfitting"]
    assert hint.fix.action == "regularize" and hint.fix.nodes == ("dense_5",)


def test_labels_that_do_not_follow_from_the_inputs_are_not_learned_within_3_epochs():
    x, _ = blobs(640)
    y = np.random.default_rng(5).integers(0, CLASSES, len(x))
    hints, _ = train(healthy(), Adam(learning_rate=1e-3), steps=1, data=(x, y), epochs=3,
                     validation_split=0.5)
    assert "no_learning" in rules(hints)


@pytest.mark.parametrize(("rate", "rule", "factor"), [(1e-8, "learning_rate_low", 10.0)])
def test_a_far_too_low_learning_rate_is_flagged_within_30_steps(rate, rule, factor):
    hints, _ = train(healthy(), SGD(learning_rate=rate), steps=30)
    [hint] = [hint for hint in hints if hint.rule == rule]
    assert hint.fix.value == pytest.approx(factor)


def test_a_learning_rate_too_high_is_flagged_within_30_steps():
    hints, _ = train(healthy(), SGD(learning_rate=2.0), steps=30)
    [hint] = [hint for hint in hints if hint.rule == "learning_rate_high"]
    assert hint.figure > 1e-1 and hint.fix.value == pytest.approx(0.1)


def test_a_loss_that_stopped_falling_is_a_plateau_10_epochs_after_its_best():
    """SGD at 2 blows the loss up, kills most ReLUs, then the loss hovers near ln 4; its best
    (epoch 11) is ten epochs old at epoch 21."""
    hints, monitor = train(healthy(), SGD(learning_rate=2.0), steps=4, epochs=24)
    [hint] = [hint for hint in hints if hint.rule == "plateau"]
    assert hint.fix.value == pytest.approx(0.1)
    record = monitor.record()
    at = [bool(plateau(dataclasses.replace(record, epochs=record.epochs[:n]))) for n in (20, 21)]
    assert at == [False, True]


def test_a_plateau_from_a_too_low_learning_rate_only_says_so():
    """Lowering the rate (the plateau's fix) would be the wrong advice: only the low rate is shown."""
    x, _ = blobs(64)
    y = np.random.default_rng(5).integers(0, CLASSES, len(x))
    hints, _ = train(healthy(), SGD(learning_rate=1e-9), steps=1, data=(x, y), epochs=12)
    assert "learning_rate_low" in rules(hints) and "plateau" not in rules(hints)


def test_the_record_is_plain_json_for_scripts():
    model = healthy()
    model.layers["dense_1"].params["bias"][:] = -20.0
    hints, monitor = train(model, SGD(learning_rate=0.01), steps=20)
    figures = json.loads(json.dumps(monitor.record().to_json()))
    kinds = {layer["node"]: layer["kind"] for layer in figures["layers"]}
    assert kinds == {"dense_1": "weights", "relu_2": "relu", "dense_3": "weights", "relu_4": "relu",
                     "dense_5": "weights"}
    assert len(figures["layers"][0]["grad_norm"]) == len(figures["steps"]) == 3


def test_a_gradient_norm_a_hundred_times_its_early_size_is_exploding():
    from desktop_app.engine.health import HealthRecord

    def record(norms):
        return HealthRecord(np.arange(len(norms)), (), None, None, None, (), global_norms=np.array(norms))

    [hint] = diagnose(record([2.0, 2.1, 1.9, 2.0, 2.0, 50.0, 250.0]))
    assert hint.rule == "exploding" and hint.fix.action == "clip_gradients" and hint.fix.value == 2.0
    assert diagnose(record([2.0, 2.1, 1.9, 2.0, 2.0, 50.0, 150.0])) == []


def test_measurements_are_spaced_to_keep_their_cost_within_the_budget():
    """A fake clock: every step takes 1 s, every measurement 0.5 s. With a budget of 10 %, a
    measurement may come once per 5 steps of its own cost (0.5 / (0.1 * 1)) but never more often
    than every 10 steps; with 1 %, every 50 steps."""
    for budget, spacing in ((0.1, MEASURE_EVERY), (0.01, 50)):
        model = healthy()
        clock = FakeClock()
        monitor = HealthMonitor(model, CategoricalCrossentropy(), budget=budget, clock=clock)
        original = monitor._measure

        def slow_measure(event, original=original, clock=clock):
            original(event)
            clock.now += 0.5

        monitor._measure = slow_measure
        x, y = blobs(200 * 32)
        Trainer(model, CategoricalCrossentropy(), SGD(learning_rate=0.01),
                callbacks=[clock, monitor]).fit(x, y, epochs=1, batch_size=32, seed=0)
        assert np.diff(monitor.record().steps[1:]).tolist() == [spacing] * (len(monitor.record().steps) - 2)


class FakeClock:
    """A clock that moves one second per training step."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def on_batch_end(self, event) -> None:
        self.now += 1.0


def test_a_layer_with_no_gradient_while_the_others_learn_is_named_before_the_dead_window_fills():
    """A large negative bias kills every unit of relu_4: no gradient reaches dense_3 nor dense_1
    from the first step, while the dead-unit rule still waits for ``DEAD_WINDOW`` measurements."""
    model = healthy()
    model.layers["dense_3"].params["bias"][:] = -20.0
    hints, monitor = train(model, SGD(learning_rate=0.01), steps=MEASURE_EVERY * 2)
    record = monitor.record()
    assert len(record.steps) == 3 < DEAD_WINDOW
    norms = {node: record.layer(node).recent("grad_norm", 10) for node in ("dense_1", "dense_3", "dense_5")}
    assert norms["dense_1"] == norms["dense_3"] == 0 < norms["dense_5"]
    [hint] = [hint for hint in hints if "dense_3" in hint.nodes]
    assert hint.rule == "dead_relu" and hint.nodes == ("dense_1", "dense_3")
    assert hint.title.startswith("no gradient reaches 'dense_1', 'dense_3'")
    assert hint.fix.action == "he_init" and hint.fix.nodes == ("dense_1", "dense_3")
    assert "vanishing" not in rules(hints)


def test_a_layer_with_no_gradient_is_named_once_its_relu_is_found_dead():
    model = healthy()
    model.layers["dense_3"].params["bias"][:] = -20.0
    hints, _ = train(model, SGD(learning_rate=0.01), steps=MEASURE_EVERY * (DEAD_WINDOW + 1))
    dead = [hint for hint in hints if hint.rule == "dead_relu"]
    assert [hint.nodes for hint in dead] == [("relu_4",), ("dense_1",)]  # dense_3: the first's fix
    assert dead[0].fix.nodes == ("dense_3",)
