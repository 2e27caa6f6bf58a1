"""The training window's plumbing without a window: the throttling bridge (driven by a fake clock),
the record the plots draw from, and the probes that look at the model between batches."""

from __future__ import annotations

import dataclasses
import gc
import threading
import weakref

import numpy as np
import pytest
from PySide6.QtGui import QColor, QPainterPath

from desktop_app.engine.callbacks import BatchEvent, EpochEvent, History, RunInfo, RunResult
from desktop_app.engine.control import TrainingControl
from desktop_app.gui.collector import GuiThreadCollector
from desktop_app.gui.training import bridge as bridge_module
from desktop_app.gui.training.bridge import Progress, RunStarted, ThrottledBridge
from desktop_app.gui.training.curves import CurvesPanel
from desktop_app.gui.training.plots import TrainingPlots
from desktop_app.gui.training.probes import CURVE_POINTS, GRID_SIDE, Probes
from desktop_app.gui.training.progress import clock_text, describe
from desktop_app.gui.training.record import GrowingColumns, TrainingRecord
from desktop_app.plugin_system import current_registry
from desktop_app.project import RunOverrides, build_run, example_path, load_project

KEYS = ("dense/kernel", "dense/bias", "out/kernel")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def info(epochs: int = 1, per_epoch: int = 10_000, keys: tuple[str, ...] = KEYS) -> RunInfo:
    return RunInfo(epochs, 32, per_epoch, epochs * per_epoch, 32 * per_epoch, 0, keys, ("accuracy",), 0)


def batch(step: int, per_epoch: int = 10_000, norms: tuple[float, ...] = (3.0, 4.0, 2.0)) -> BatchEvent:
    epoch, index = divmod(step - 1, per_epoch)
    return BatchEvent(epoch + 1, index + 1, per_epoch, step, 1.0 / step, 0.01,
                      dict(zip(KEYS, norms, strict=True)), 1.0, 32 * step)


def epoch_event(epoch: int, loss: float = 0.5) -> EpochEvent:
    return EpochEvent(epoch, 3, loss, {"accuracy": 0.9}, None, {}, 0.01, 1.0, 100.0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wired(qapp, clock):
    """A bridge on a fake clock, with everything it emits collected in order."""
    control = TrainingControl()
    bridge = ThrottledBridge(control, clock=clock)
    emitted: list[object] = []
    for signal in (bridge.run_started, bridge.progressed, bridge.run_ended):
        signal.connect(emitted.append)
    return bridge, control, emitted


def progress_of(emitted: list[object]) -> list[Progress]:
    return [item for item in emitted if isinstance(item, Progress)]


def test_a_fast_batch_rate_is_throttled_to_25_emissions_a_second_and_loses_no_batch(wired, clock):
    bridge, _control, emitted = wired
    assert bridge_module.RATE == 25
    bridge.on_run_start(info())
    for step in range(1, 10_001):  # 10,000 batches a second for one second
        clock.now += 1e-4
        bridge.on_batch_end(batch(step))
    bridge.on_run_end(RunResult("completed", History()))
    chunks = progress_of(emitted)
    assert 24 <= len(chunks) <= 26  # 24 full intervals of 40 ms, the rest, the final flush
    assert bridge.emissions == len(chunks)
    steps = np.concatenate([chunk.steps for chunk in chunks])
    np.testing.assert_array_equal(steps, np.arange(1, 10_001))
    np.testing.assert_allclose(np.concatenate([chunk.losses for chunk in chunks]), 1.0 / steps)
    assert isinstance(emitted[0], RunStarted) and isinstance(emitted[-1], RunResult)


def test_slow_batches_are_each_emitted(wired, clock):
    bridge, _control, emitted = wired
    bridge.on_run_start(info())
    for step in range(1, 6):
        clock.now += 0.5
        bridge.on_batch_end(batch(step))
    assert [list(chunk.steps) for chunk in progress_of(emitted)] == [[1], [2], [3], [4], [5]]


def test_a_pending_pause_or_stop_flushes_at_once(wired, clock):
    bridge, control, emitted = wired
    bridge.on_run_start(info())
    clock.now += 1.0
    bridge.on_batch_end(batch(1))  # emitted: the throttle window starts again here
    bridge.on_batch_end(batch(2))
    assert [list(chunk.steps) for chunk in progress_of(emitted)] == [[1]]
    control.pause()
    bridge.on_batch_end(batch(3))
    assert [list(chunk.steps) for chunk in progress_of(emitted)] == [[1], [2, 3]]
    control.stop()
    bridge.on_batch_end(batch(4))
    assert list(progress_of(emitted)[-1].steps) == [4]


def test_time_spent_paused_is_not_training_time(wired, clock):
    bridge, control, emitted = wired
    bridge.on_run_start(info())
    clock.now += 1.0
    bridge.on_batch_end(batch(1))
    control.pause()
    clock.now += 1.0
    bridge.on_batch_end(batch(2))  # the trainer parks after this batch
    control.resume()
    clock.now += 60.0  # parked for a minute
    bridge.on_batch_end(batch(3))
    clock.now += 1.0
    bridge.on_batch_end(batch(4))
    bridge.on_run_end(RunResult("completed", History()))
    assert progress_of(emitted)[-1].seconds == pytest.approx(3.0)


def test_a_pause_that_came_just_after_a_batch_is_not_training_time(wired, clock):
    """The pause came after the bridge looked at the control at a batch's end and before the
    trainer looked at it before the next batch: the trainer parked, and the next batch's gap held
    the whole pause (one pause in eight, by hand: the ETA then counted the time paused)."""
    bridge, control, emitted = wired
    bridge.on_run_start(info())
    clock.now += 1.0
    bridge.on_batch_end(batch(1))  # not paused yet
    control.pause()
    trainer = threading.Thread(target=control.wait_while_paused)  # parks before batch 2
    trainer.start()
    assert control.wait_until_paused(10.0)
    control.resume()
    trainer.join()
    clock.now += 60.0
    bridge.on_batch_end(batch(2))
    clock.now += 1.0
    bridge.on_batch_end(batch(3))
    bridge.on_run_end(RunResult("completed", History()))
    assert progress_of(emitted)[-1].seconds == pytest.approx(2.0)


def test_layer_norms_combine_the_norms_of_each_layers_parameters(wired, clock):
    bridge, _control, emitted = wired
    bridge.on_run_start(info())
    clock.now += 1.0
    bridge.on_batch_end(batch(1, norms=(3.0, 4.0, 2.0)))
    started, chunk = emitted[0], emitted[1]
    assert started.layers == ("dense", "out")
    np.testing.assert_allclose(chunk.layer_norms, [[5.0, 2.0]])


def test_epochs_and_the_run_end_are_delivered_in_order(wired, clock):
    bridge, _control, emitted = wired
    bridge.on_run_start(info(per_epoch=2))
    clock.now += 1.0
    bridge.on_batch_end(batch(1, per_epoch=2))
    bridge.on_batch_end(batch(2, per_epoch=2))
    bridge.on_epoch_end(epoch_event(1))
    bridge.on_run_end(RunResult("completed", History()))
    assert [type(item).__name__ for item in emitted] == ["RunStarted", "Progress", "Progress", "RunResult"]
    last = emitted[2]
    assert list(last.steps) == [2] and [event.epoch for event in last.epochs] == [1]


def test_probes_stay_within_their_share_of_the_training_time(wired, clock, monkeypatch):
    bridge, _control, emitted = wired
    snapshots: list[float] = []

    class SlowProbes:
        def snapshot(self, _views):
            snapshots.append(clock.now)
            clock.now += 0.1  # each look at the model takes 100 ms
            return object()

    bridge.on_run_start(info())
    bridge.probes = SlowProbes()
    for step in range(1, 1001):  # 1,000 batches of 10 ms
        clock.now += 0.01
        bridge.on_batch_end(batch(step))
    gaps = np.diff(snapshots)
    assert len(snapshots) >= 2
    assert gaps.min() >= 0.1 / bridge_module.PROBE_BUDGET
    total = clock.now - 100.0
    assert 0.1 * len(snapshots) <= 2 * bridge_module.PROBE_BUDGET * total


def test_probes_look_only_at_the_watched_views_and_at_all_of_them_when_the_run_ends(wired, clock):
    """With only the curves on show the training thread takes no look at the model until the end;
    a tab on show is looked at from the next probe on."""
    bridge, _control, emitted = wired
    looked: list[frozenset[str]] = []

    class Probes:
        def snapshot(self, views):
            looked.append(frozenset(views))
            return object()

    bridge.on_run_start(info())
    bridge.probes = Probes()
    bridge.watched = frozenset()
    for step in range(1, 101):  # 10 s of batches: 40 probe times
        clock.now += 0.1
        bridge.on_batch_end(batch(step))
    assert looked == []
    bridge.watched = frozenset({"layers"})
    for step in range(101, 111):
        clock.now += 0.1
        bridge.on_batch_end(batch(step))
    assert looked and set(looked) == {frozenset({"layers"})}
    bridge.on_run_end(RunResult("completed", History()))
    assert looked[-1] == frozenset({"layers", "data"})


def test_a_snapshot_of_some_views_keeps_the_older_snapshot_of_the_others(spiral_run):
    probes = Probes(spiral_run)
    both = probes.snapshot()
    layers_only = probes.snapshot({"layers"})
    assert layers_only.views == {"layers"} and layers_only.confusion is None and layers_only.boundary is None
    data_only = probes.snapshot({"data"})
    assert data_only.weights == {} and data_only.confusion is not None
    merged = layers_only.over(both)
    assert merged.views == {"layers", "data"}
    assert merged.weights is layers_only.weights and merged.confusion is both.confusion
    assert both.over(layers_only) is both
    record = TrainingRecord()
    record.begin(_started())
    for step, snapshot in enumerate((both, data_only), start=1):
        record.add(dataclasses.replace(_chunk([step]), snapshot=snapshot))
    assert record.snapshot.weights is both.weights and record.snapshot.boundary is data_only.boundary


def test_growing_columns_double_and_keep_every_row():
    columns = GrowingColumns(2, capacity=4)
    for start in range(0, 30, 3):
        columns.extend(np.arange(start, start + 3, dtype=float).repeat(2).reshape(3, 2))
    np.testing.assert_array_equal(columns.view()[:, 0], np.arange(30))
    assert len(columns) == 30


def test_growing_columns_keep_each_columns_extent_without_nan():
    """The plots fit their ranges to these every frame instead of going over every row again."""
    rng = np.random.default_rng(0)
    columns = GrowingColumns(3, capacity=4)
    assert columns.extent() == (np.inf, -np.inf)
    for _ in range(20):
        rows = rng.standard_normal((int(rng.integers(1, 9)), 3))
        rows[rng.random(rows.shape) < 0.1] = np.nan
        columns.extend(rows)
        everything = columns.view()
        assert columns.extent(1) == (np.nanmin(everything[:, 1]), np.nanmax(everything[:, 1]))
        assert columns.extent() == (np.nanmin(everything), np.nanmax(everything))


def _started(layers=("dense",), per_epoch: int = 4, epochs: int = 3) -> RunStarted:
    keys = tuple(f"{name}/kernel" for name in layers)
    return RunStarted(info(epochs, per_epoch, keys), 0.01, layers, ("accuracy",), (), False, False,
                      "validation", None)


def _chunk(steps, epochs=()) -> Progress:
    steps = np.asarray(steps)
    return Progress(steps, np.ones(len(steps)), np.full(len(steps), 0.01), np.ones((len(steps), 1)),
                    1, 1, int(steps[-1]), 0, 1.0, tuple(epochs), None)


def test_a_resumed_run_continues_the_curves_where_the_last_one_stopped():
    record = TrainingRecord()
    record.begin(_started())
    record.add(_chunk([1, 2, 3, 4, 5, 6], [epoch_event(1)]))  # stopped halfway through epoch 2
    record.begin(_started())
    record.add(_chunk([1, 2, 3, 4], [epoch_event(1, loss=0.25)]))
    x = record.batches.view()[:, 0]
    np.testing.assert_allclose(x, [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5])
    xs, losses = record.epoch_series("loss")
    np.testing.assert_allclose(xs, [1.0, 2.5])
    np.testing.assert_allclose(losses, [0.5, 0.25])
    assert [event.epoch for _, event in record.epochs] == [1, 2]


def test_a_run_of_other_layers_starts_the_curves_over():
    record = TrainingRecord()
    record.begin(_started(("dense",)))
    record.add(_chunk([1, 2]))
    record.begin(_started(("conv",)))
    assert len(record.batches) == 0 and record.layers == ("conv",)


def test_the_record_as_csv():
    record = TrainingRecord()
    record.begin(_started())
    record.add(_chunk([1, 2, 3, 4], [epoch_event(1)]))
    batches = record.batches_csv().splitlines()
    assert batches[0] == "epoch,loss,lr,grad_norm/dense"
    assert batches[1:] == [f"{x},1.0,0.01,1.0" for x in (0.25, 0.5, 0.75, 1.0)]
    epochs = record.epochs_csv().splitlines()
    assert epochs[0] == "epoch,loss,accuracy,lr,seconds,samples_per_second"
    assert epochs[1] == "1,0.5,0.9,0.01,1.0,100.0"


def test_the_status_text_gives_epoch_batch_rate_and_eta():
    run = info(epochs=10, per_epoch=100)
    progress = Progress(np.array([250]), np.ones(1), np.ones(1), np.ones((1, 3)), 3, 50, 250, 8000, 10.0,
                        (), None)
    assert describe(run, progress) == "epoch 3/10 · batch 50/100 · 800 samples/s · ETA 0:30"
    assert clock_text(3725) == "1:02:05"


@pytest.fixture(scope="module")
def spiral_run():
    return build_run(load_project(example_path("spiral_mlp")), RunOverrides(epochs=2),
                     registry=current_registry())


@pytest.fixture(scope="module")
def sine_run():
    return build_run(load_project(example_path("sine_regression")), RunOverrides(epochs=2),
                     registry=current_registry())


def test_probes_of_a_2d_classifier(spiral_run):
    probes = Probes(spiral_run)
    assert probes.has_boundary and not probes.has_curve and probes.confusion_set == "validation"
    snapshot = probes.snapshot()
    boundary = snapshot.boundary
    assert boundary.classes.shape == boundary.confidence.shape == (GRID_SIDE, GRID_SIDE)
    assert set(np.unique(boundary.classes)) <= {0, 1, 2}
    x = spiral_run.data.dataset.x
    assert boundary.x_range[0] < x[:, 0].min() and boundary.x_range[1] > x[:, 0].max()
    assert snapshot.confusion.shape == (3, 3)
    assert snapshot.confusion.sum() == len(spiral_run.data.val_indices)
    for name in probes.layers:
        layer = spiral_run.model.layers[name]
        assert snapshot.weights[name].counts.sum() == layer.parameter_count()
    assert probes.points().x.shape[1] == 2


def test_the_confusion_matrix_counts_true_classes_by_row(spiral_run):
    probes = Probes(spiral_run)
    labels = spiral_run.data.dataset.y[spiral_run.data.val_indices]
    confusion = probes.snapshot().confusion
    np.testing.assert_array_equal(confusion.sum(axis=1), np.bincount(labels, minlength=3))


def test_probes_of_a_1d_regression(sine_run):
    probes = Probes(sine_run)
    assert probes.has_curve and not probes.has_boundary and probes.classes == ()
    snapshot = probes.snapshot()
    xs, ys = snapshot.curve
    assert xs.shape == ys.shape == (CURVE_POINTS,)
    assert np.all(np.diff(xs) > 0) and np.isfinite(ys).all()
    assert snapshot.confusion is None and snapshot.boundary is None


def test_while_active_only_the_collector_collects_cyclic_garbage(qtbot):
    class Node:
        pass

    collector = GuiThreadCollector.of_app()
    qtbot.waitUntil(lambda: not collector.active, timeout=20_000)  # earlier tests' workers let go
    assert gc.isenabled()
    collector.hold()
    try:
        assert not gc.isenabled()
        node = Node()
        node.itself = node
        alive = weakref.ref(node)
        del node
        filler = [[] for _ in range(2 * gc.get_threshold()[0])]  # generation 0 fills up
        assert alive() is not None  # nothing collected it on its own
        collector.collect()
        assert alive() is None
        del filler
    finally:
        collector.release()
    assert gc.isenabled()


def _breaks(path: QPainterPath) -> int:
    """How many times the line stops and starts again (moves after its first point)."""
    return sum(path.elementAt(index).isMoveTo() for index in range(1, path.elementCount()))


def test_per_batch_curves_skip_finite_checks_until_a_value_is_not_finite(qtbot):
    """Known-finite series are drawn as one line without pyqtgraph's per-point checks; after a NaN
    loss the line breaks at the NaN, as pyqtgraph draws non-finite data by default."""
    panel = CurvesPanel(lambda names: {name: QColor("#336699") for name in names})
    qtbot.addWidget(panel)
    record = TrainingRecord()
    record.begin(_started())
    record.add(_chunk([1, 2, 3]))
    panel.redraw(record)
    assert record.batches_finite
    assert panel.batch_loss.finite
    assert _breaks(panel.batch_loss.item.path()) == 0
    chunk = _chunk([4, 5])
    chunk.losses[0] = np.nan
    record.add(chunk)
    panel.redraw(record)
    assert not record.batches_finite
    assert not panel.batch_loss.finite and not panel.norms.finite
    assert _breaks(panel.batch_loss.item.path()) == 1  # 1-3, then 5
    record.clear()
    assert record.batches_finite


def test_epoch_series_hold_only_the_epochs_that_logged_the_value_and_clear_with_the_record():
    record = TrainingRecord()
    record.begin(_started())
    validated = EpochEvent(2, 3, 0.4, {"accuracy": 0.95}, 0.6, {"accuracy": 0.8}, 0.01, 1.0, 100.0)
    record.add(_chunk([1, 2, 3, 4, 5, 6, 7, 8], [epoch_event(1), validated]))
    xs, values = record.epoch_series("val_accuracy")
    np.testing.assert_allclose(xs, [2.0])
    np.testing.assert_allclose(values, [0.8])
    np.testing.assert_allclose(record.epoch_series("accuracy")[1], [0.9, 0.95])
    assert record.epoch_series("nothing")[0].shape == (0,)
    record.clear()
    assert record.epoch_series("accuracy")[0].shape == (0,)


def test_a_falling_loss_and_a_rising_accuracy_do_not_move_their_ranges(qtbot):
    """Each range change redraws an axis (slow Python, against the training thread): the loss
    axis starts at zero, so new lows stay in view, and accuracy's axis reaches 1."""
    panel = CurvesPanel(lambda names: {name: QColor("#336699") for name in names})
    qtbot.addWidget(panel)
    record = TrainingRecord()
    record.begin(_started(per_epoch=10, epochs=20))
    changes = {"loss": 0, "metrics": 0}
    panel.loss_plot.vb.sigYRangeChanged.connect(lambda *_: changes.__setitem__("loss", changes["loss"] + 1))
    panel.metric_plot.vb.sigYRangeChanged.connect(
        lambda *_: changes.__setitem__("metrics", changes["metrics"] + 1))
    for epoch in range(1, 21):
        steps = np.arange((epoch - 1) * 10 + 1, epoch * 10 + 1)
        ended = EpochEvent(epoch, 20, 2.0 / epoch, {"accuracy": 1 - 0.2 / epoch}, None, {}, 0.01, 1.0, 100.0)
        record.add(Progress(steps, 2.0 / np.sqrt(steps), np.full(10, 0.01), np.ones((10, 1)),
                            epoch, 10, int(steps[-1]), 0, 1.0, (ended,), None))
        panel.redraw(record)
    assert changes["loss"] == 1 and changes["metrics"] <= 1  # fitted at the first values only
    low, high = panel.loss_plot.viewRange()[1]
    assert low < 0.0 < 0.05 and high >= 2.0  # every loss in view, from zero
    low, high = panel.metric_plot.viewRange()[1]
    assert 0.7 < low <= 0.8 and 1.0 <= high < 1.05  # the accuracies' own range, up to 1


def test_per_epoch_curves_wait_while_a_run_is_on_and_are_complete_when_it_ends(qtbot):
    """Short epochs end 20 times a second or more: while live, per-epoch curves redraw at most every
    EPOCH_REDRAW_SECONDS; the redraw at the run's end shows every epoch, whichever tab is on."""
    clock = [100.0]
    record = TrainingRecord()
    plots = TrainingPlots(record, lambda names: {name: QColor("#336699") for name in names},
                          clock=lambda: clock[0])
    qtbot.addWidget(plots)
    plots.show()
    record.begin(_started(per_epoch=1, epochs=10))
    plots.set_live(True)
    for epoch in range(1, 11):  # an epoch per frame, 10 ms apart
        ended = EpochEvent(epoch, 10, 1.0 / epoch, {"accuracy": 0.5}, None, {}, 0.01, 0.01, 100.0)
        record.add(_chunk([epoch], epochs=[ended]))
        plots.redraw()
        clock[0] += 0.01
    drawn = len(plots.curves.epoch_loss.getData()[0])
    assert 1 <= drawn < 10  # drawn at the first epoch, then waited
    assert plots.redraws == 10  # the per-batch curves were drawn every frame
    plots.set_live(False)
    assert len(plots.curves.epoch_loss.getData()[0]) == 10
