"""Training in the window: the worker thread, live plots, pause/resume/stop, errors, kept weights,
and what comes after training (saving, exporting, predictions, the CLI's same weights)."""

from __future__ import annotations

import gc

import numpy as np
import onnx
import pytest
from onnxruntime import InferenceSession
from PySide6.QtCore import QCoreApplication, Qt, QThread
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QMessageBox
from threadpoolctl import threadpool_info

from desktop_app.cli import main as cli_main
from desktop_app.engine.fit_data import split_indices
from desktop_app.engine.layer import Layer
from desktop_app.engine.losses import CategoricalCrossentropy
from desktop_app.fileio import load_weights_npz, save_weights_npz
from desktop_app.gui.training.probes import VIEWS, Probes
from desktop_app.gui.window_sizes import bottom_height
from desktop_app.hookspecs import hookimpl
from desktop_app.plugin_system import current_registry
from desktop_app.project import load_project, save_project
from desktop_app.project.document import ComponentRef, NodeEntry
from desktop_app.project.predict import predict
from desktop_app.project.run import Run, build_model, fit_preprocessing, load_dataset
from desktop_app.project.weights import sidecar_path
from tests.gui.runs import WAIT, example, start_long_run, stop_and_wait, train_to_end


def test_the_data_tab_shows_the_decision_boundary_and_the_confusion_matrix(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=3))
    train_to_end(qtbot, window)
    plots = window.training.plots
    plots.setCurrentWidget(plots.data)
    data = plots.data
    boundary = data.boundary_image.image
    assert boundary.shape[:2] == (96, 96) and boundary.dtype == np.uint8
    assert len(np.unique(boundary.reshape(-1, 3), axis=0)) > 2  # classes and confidence both show
    counts = [int(text.toPlainText()) for text in data.confusion_texts]
    assert len(counts) == 9 and sum(counts) == 60  # the validation fifth of 300 samples


def test_the_layers_tab_shows_histograms_per_layer_in_its_canvas_colour(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=2))
    train_to_end(qtbot, window)
    plots = window.training.plots
    plots.setCurrentWidget(plots.histograms)
    bars = plots.histograms.bars
    assert list(bars) == ["hidden_1", "hidden_2", "logits"]
    model = window.training.controller.trained_model()
    edges, counts = bars["hidden_1"][0].getData()
    assert counts.sum() == model.layers["hidden_1"].parameter_count()
    canvas = window.designer.node_colors()
    curves = plots.curves
    expected = [canvas[name].name() for name in curves.norm_layers]
    assert [color.name() for color in curves.norms.colors] == expected


def test_the_training_thread_looks_at_the_model_only_for_the_tab_on_show(make_window, qtbot, monkeypatch):
    """Histograms and the data views cost the training thread a look at the model: only the tab on
    show is looked at while training, and every tab gets a final look when the run ends."""
    looked: list[frozenset[str]] = []
    snapshot = Probes.snapshot

    def spy(probes, views=VIEWS):
        looked.append(frozenset(views))
        return snapshot(probes, views)

    monkeypatch.setattr(Probes, "snapshot", spy)
    monkeypatch.setattr("desktop_app.gui.training.bridge.PROBE_INTERVAL", 0.0)
    window = make_window(example("spiral_mlp", epochs=20))
    plots, bridge = window.training.plots, window.training.controller.bridge
    plots.setCurrentWidget(plots.curves)
    train_to_end(qtbot, window)
    assert looked == [VIEWS]  # the final look only
    assert bridge.watched == frozenset()
    assert window.training.controller.record.snapshot.views == VIEWS
    plots.setCurrentWidget(plots.data)
    assert bridge.watched == {"data"}
    looked.clear()
    train_to_end(qtbot, window)
    assert len(looked) > 1 and set(looked[:-1]) == {frozenset({"data"})} and looked[-1] == VIEWS
    plots.setCurrentWidget(plots.histograms)
    assert bridge.watched == {"layers"}
    window.training.dock.close()  # nothing on show: nothing to look at
    qtbot.waitUntil(lambda: bridge.watched == frozenset())


def test_blas_leaves_a_core_to_the_window_while_it_trains(make_window, qtbot, monkeypatch):
    seen: list[int] = []
    fit = Run.fit

    def watched_fit(run, *args, **kwargs):
        seen.extend(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
        return fit(run, *args, **kwargs)

    monkeypatch.setattr(Run, "fit", watched_fit)
    monkeypatch.setattr("desktop_app.gui.training.worker.blas_threads", lambda: 1)
    before = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    window = make_window(example("xor_mlp", epochs=1))
    train_to_end(qtbot, window)
    assert seen and set(seen) == {1}
    assert [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"] == before


def test_the_loss_can_be_shown_on_a_log_scale(make_window, qtbot):
    window = make_window(example("xor_mlp", epochs=2))
    train_to_end(qtbot, window)
    curves = window.training.plots.curves
    curves.log_loss.setChecked(True)
    assert curves.loss_plot.getAxis("left").logMode
    assert curves.norm_plot.getAxis("left").logMode


def test_a_run_uses_the_dataset_the_window_already_loaded(make_window, qtbot, monkeypatch, dialogs):
    window = make_window(example("xor_mlp", epochs=2))

    def no_second_load(*_args, **_kwargs):
        raise AssertionError("the dataset was loaded again")

    monkeypatch.setattr("desktop_app.project.run.load_dataset", no_second_load)
    train_to_end(qtbot, window)
    assert dialogs.texts("warning") == []
    assert window.training.controller.last_result.reason == "completed"


def test_signals_from_the_worker_are_handled_on_the_gui_thread(make_window, qtbot):
    window = make_window(example("xor_mlp", epochs=2))
    gui_thread = QCoreApplication.instance().thread()
    threads, collecting = [], []

    def progressed(_progress) -> None:
        threads.append(QThread.currentThread())
        collecting.append(gc.isenabled())

    window.training.controller.progressed.connect(progressed)
    train_to_end(qtbot, window)
    assert threads and all(thread is gui_thread for thread in threads)
    assert not any(collecting) and gc.isenabled()  # no automatic collection on the training thread


# --- controlling a run ---------------------------------------------------------------------------------
def test_pause_resume_and_stop(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=100_000))
    ui = window.training
    controller = start_long_run(qtbot, window)
    assert ui.pause.isEnabled() and ui.stop.isEnabled() and not ui.train.isEnabled()
    ui.pause.trigger()
    assert controller.state == "paused" and ui.pause.isChecked()
    assert controller.control.wait_until_paused(WAIT / 1000)
    QCoreApplication.processEvents()  # the batches emitted before the worker parked
    parked_at = controller.record.latest.step
    QCoreApplication.processEvents()
    assert controller.record.latest.step == parked_at
    assert ui.progress.label.text().endswith("· paused")
    ui.pause.trigger()
    assert controller.state == "running"
    qtbot.waitUntil(lambda: controller.record.latest.step > parked_at, timeout=WAIT)
    stop_and_wait(qtbot, window)
    result = controller.last_result
    assert result.reason == "stopped" and len(result.history.epochs) < 100_000
    assert ui.train.isEnabled() and not ui.pause.isEnabled() and not ui.stop.isEnabled()


def test_the_learning_rate_changes_while_training(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=100_000))
    controller = start_long_run(qtbot, window)
    box = window.training.learning_rate
    assert box.isEnabled() and box.value() == pytest.approx(0.01)
    box.setText("0.25")
    box.editingFinished.emit()
    qtbot.waitUntil(lambda: controller.record.latest.lrs[-1] == pytest.approx(0.25), timeout=WAIT)
    stop_and_wait(qtbot, window)
    assert box.isEnabled() and box.value() == pytest.approx(0.25)  # the project's rate now


def test_closing_the_window_while_training_stops_the_worker(make_window, qtbot, dialogs):
    window = make_window(example("spiral_mlp", epochs=100_000))
    controller = start_long_run(qtbot, window)
    window.close()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=WAIT)
    assert controller.last_result.reason == "stopped"


def test_closing_the_window_while_a_run_is_being_laid_out_starts_no_thread(make_window, qtbot, dialogs):
    """A close can come before the training thread exists (here from the ``starting`` signal);
    the thread must not start after it."""
    window = make_window(example("spiral_mlp", epochs=100_000))
    controller = window.training.controller
    controller.starting.connect(lambda _epochs: window.close())
    window.training.train.trigger()
    assert controller.state == "idle" and controller._thread is None
    assert not window.isVisible()


# --- errors ----------------------------------------------------------------------------------------------
class Flaky(Layer):
    """Passes its input through, until its fourth training batch."""

    type_name = "Flaky"

    def output_shape(self, *shapes):
        return shapes[0]

    def forward(self, x, training=False):
        if training:
            self.calls = getattr(self, "calls", 0) + 1
            if self.calls > 3:
                raise RuntimeError("the flux capacitor overheated")
        return x

    def backward(self, grad):
        return (grad,)


class FlakyPlugin:
    @hookimpl
    def register_layers(self, register):
        register(Flaky)


def with_flaky_layer(project):
    """The spiral network with a Flaky node after its first ReLU."""
    project.nodes.insert(3, NodeEntry("flaky", "Flaky", {}, ["relu_1"]))
    project.node("hidden_2").inputs = ["flaky"]
    return project


def test_a_failing_plugin_layer_is_reported_by_name_and_the_app_stays_usable(
        make_window, qtbot, register_plugin, dialogs):
    register_plugin(FlakyPlugin(), "flaky_layers")
    window = make_window(with_flaky_layer(example("spiral_mlp", epochs=5)))
    assert window.designer.graph_valid
    train_to_end(qtbot, window)
    [message] = dialogs.texts("warning")
    assert "layer 'flaky' (Flaky, from plugin 'flaky_layers'" in message
    assert "RuntimeError: the flux capacitor overheated" in message
    assert any("Training failed" in line for line in window.log_panel.lines())
    ui = window.training
    assert ui.controller.last_result.reason == "error"
    assert ui.train.isEnabled() and ui.progress.label.text() == "Training failed"
    model = ui.controller.trained_model()
    assert all(np.isfinite(array).all() for array in model.get_weights().values())
    window.training.show_predictions()  # the kept model still runs (in eval mode the layer is fine)
    assert window.training.plots.predictions.table.rowCount() == 8
    train_to_end(qtbot, window)  # and training again fails the same clean way
    assert len(dialogs.texts("warning")) == 2


def test_a_nan_loss_stops_training_with_a_message(make_window, qtbot, dialogs):
    project = example("sine_regression", epochs=3, optimizer=ComponentRef("sgd", {"learning_rate": 1e20}))
    window = make_window(project)
    train_to_end(qtbot, window)
    [message] = dialogs.texts("warning")
    assert "became non-finite at epoch 1" in message
    assert window.training.train.isEnabled()


# --- kept weights ---------------------------------------------------------------------------------------
def test_training_after_a_stop_starts_from_the_kept_weights(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=100_000))
    controller = start_long_run(qtbot, window)
    stop_and_wait(qtbot, window)
    kept = controller.trained_model().get_weights()
    # a learning rate of 0 leaves the weights where the next run starts: at the kept ones
    config = window.document.data["training"]["optimizer"]["config"]
    window.document.edit("lr 0", lambda data: data["training"]["optimizer"].update(
        config={**config, "learning_rate": 0.0}))
    window.document.edit("1 epoch", lambda data: data["training"].update(epochs=1))
    train_to_end(qtbot, window)
    assert controller.last_result.reason == "completed"
    after = controller.trained_model().get_weights()
    for key, value in kept.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)


def test_training_again_continues_the_curves_from_the_trained_model(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=40))
    train_to_end(qtbot, window)
    record = window.training.controller.record
    first_run = len(record.batches)
    train_to_end(qtbot, window)
    batches = record.batches.view()
    assert len(batches) == 2 * first_run
    assert batches[first_run, 0] > batches[first_run - 1, 0]  # the x axis goes on
    fresh_start, resumed_start = batches[0, 1], batches[first_run, 1]
    assert resumed_start < 0.5 * fresh_start
    assert len(record.epochs) == 80


def test_reset_weights_starts_the_next_run_from_the_seed(make_window, qtbot, dialogs):
    window = make_window(example("xor_mlp", epochs=2))
    ui = window.training
    train_to_end(qtbot, window)
    first = ui.controller.trained_model().get_weights()
    train_to_end(qtbot, window)  # continues: other weights
    second = ui.controller.trained_model().get_weights()
    assert any(not np.array_equal(first[key], second[key]) for key in first)
    dialogs.answer = QMessageBox.StandardButton.Reset  # Reset Weights asks first
    ui.reset.trigger()
    assert len(dialogs.texts("question")) == 1
    assert len(ui.controller.record.batches) == 0 and not ui.reset.isEnabled()
    train_to_end(qtbot, window)
    again = ui.controller.trained_model().get_weights()
    for key, value in first.items():
        np.testing.assert_array_equal(again[key], value, err_msg=key)


def test_the_cli_and_the_window_train_the_same_weights_from_the_same_seed(make_window, qtbot, tmp_path):
    path = tmp_path / "digits.bps.json"
    save_project(example("digits_mlp", epochs=2), path)
    assert cli_main(["train", str(path), "--out", str(tmp_path / "cli"), "--quiet"]) == 0
    from_cli = load_weights_npz(tmp_path / "cli" / "weights.npz")
    window = make_window(load_project(path))
    train_to_end(qtbot, window)
    from_window = window.training.controller.trained_model().get_weights()
    assert sorted(from_window) == sorted(from_cli)
    for key, value in from_cli.items():
        np.testing.assert_array_equal(from_window[key], value, err_msg=key)


# --- after training ---------------------------------------------------------------------------------------
def test_saving_the_trained_weights_points_the_project_at_them(make_window, qtbot, tmp_path):
    path = tmp_path / "xor.bps.json"
    save_project(example("xor_mlp", epochs=2), path)
    window = make_window(load_project(path))
    ui = window.training
    assert not ui.save_weights.isEnabled()
    train_to_end(qtbot, window)
    assert ui.save_weights_to(tmp_path / "trained.npz")
    saved = load_weights_npz(tmp_path / "trained.npz")
    for key, value in ui.controller.trained_model().get_weights().items():
        np.testing.assert_array_equal(saved[key], value)
    assert sidecar_path(tmp_path / "trained.npz").is_file()
    assert window.document.data["weights"] == "trained.npz"
    assert window.document.dirty
    window.document.undo_stack.undo()
    assert window.document.data["weights"] is None


def test_the_trained_model_is_offered_only_while_it_is_the_projects_network(make_window, qtbot):
    window = make_window(example("xor_mlp", epochs=2))
    ui = window.training
    train_to_end(qtbot, window)
    assert ui.save_weights.isEnabled() and ui.controller.trained_model() is not None
    window.document.edit("wider", lambda data: data["model"]["nodes"][1]["config"].update(units=9))
    assert not ui.save_weights.isEnabled() and not ui.predict.isEnabled()
    assert ui.controller.trained_model() is None
    assert ui.export_model().model.layers["hidden"].params["kernel"].shape == (2, 9)  # the project's network
    window.document.undo_stack.undo()
    assert ui.save_weights.isEnabled() and ui.controller.trained_model() is not None


def test_file_export_writes_the_trained_model(make_window, qtbot, tmp_path):
    window = make_window(example("xor_mlp", epochs=2))
    train_to_end(qtbot, window)
    assert window.export_menu.export("npz", tmp_path / "model.npz") is not None
    # The task may finish before a waitSignal on it could connect (its signal would be missed):
    # wait for the log line its finished signal writes, as test_designer_palette does.
    qtbot.waitUntil(lambda: any(f"Exported npz to {tmp_path / 'model.npz'}" in line
                                for line in window.log_panel.lines()), timeout=WAIT)
    exported = load_weights_npz(tmp_path / "model.npz")
    for key, value in window.training.controller.trained_model().get_weights().items():
        np.testing.assert_array_equal(exported[key], value)


def exported(qtbot, window, name: str, path) -> None:
    """Export from File > Export and wait for its log line (the task may finish before a
    waitSignal could connect to it)."""
    assert window.export_menu.export(name, path) is not None
    qtbot.waitUntil(lambda: any(f"Exported {name} to {path}" in line for line in window.log_panel.lines()),
                    timeout=WAIT)


def test_file_export_writes_the_deployable_onnx_of_the_trained_model(make_window, qtbot, tmp_path):
    """The window exports as the CLI does: raw inputs in, predict's probabilities out."""
    window = make_window(example("digits_mlp", epochs=1))  # standardized inputs
    train_to_end(qtbot, window)
    exported(qtbot, window, "onnx", tmp_path / "digits.onnx")
    project = window.document.project()
    x = load_dataset(project, current_registry()).x
    session = InferenceSession(str(tmp_path / "digits.onnx"), providers=["CPUExecutionProvider"])
    probabilities = session.run(["probabilities"], {"input": x})[0]
    expected = predict(window.training.controller.trained_model(), CategoricalCrossentropy(),
                       fit_preprocessing(project, current_registry()), x, "test").probabilities
    assert np.abs(probabilities - expected).max() <= 1e-5
    metadata = {prop.key: prop.value for prop in onnx.load(tmp_path / "digits.onnx").metadata_props}
    assert metadata["includes_input_scaling"] == "true" and metadata["project_name"] == "Digits MLP"


def test_weights_opened_without_a_record_say_their_scaler_is_refitted_and_export_with_it(
        make_window, qtbot, tmp_path):
    """Weights recorded in the project but saved without their preprocessing record load with the
    project; the window says the scaler was refitted from the dataset, and File > Export ONNX
    then includes that scaling (as predict would apply it)."""
    project = example("xor_mlp", epochs=1)
    save_weights_npz(tmp_path / "bare.npz", build_model(project, current_registry()).get_weights())
    project.weights = "bare.npz"
    window = make_window(load_project(save_project(project, tmp_path / "xor.bps.json")))
    qtbot.waitUntil(lambda: window.training.controller.has_model, timeout=WAIT)
    assert any(f"Note: no preprocessing record beside {tmp_path / 'bare.npz'}: the input scaler was refitted"
               in line for line in window.log_panel.lines())
    exported(qtbot, window, "onnx", tmp_path / "xor.onnx")
    model = onnx.load(tmp_path / "xor.onnx")
    assert [output.name for output in model.graph.output] == ["logits", "probabilities"]
    assert {prop.key: prop.value for prop in model.metadata_props}["includes_input_scaling"] == "true"


def test_predictions_on_held_out_samples(make_window, qtbot):
    window = make_window(example("digits_mlp", epochs=3))
    ui = window.training
    assert not ui.plots.predictions.button.isEnabled()
    train_to_end(qtbot, window)
    ui.predict.trigger()
    panel = ui.plots.predictions
    assert ui.plots.currentWidget() is panel
    table = panel.table
    assert table.rowCount() == 8
    _, held_out = split_indices(1797, 0.2, seed=0)  # optdigits' validation samples
    rows = [int(table.item(row, 0).text()) for row in range(8)]
    assert set(rows) <= set(held_out)
    project = window.document.project()
    dataset = load_dataset(project, current_registry())
    preprocessing = fit_preprocessing(project, current_registry())
    expected = predict(ui.controller.trained_model(), CategoricalCrossentropy(), preprocessing,
                       dataset.x[rows], "test").label_names()
    targets = [dataset.class_names[label] for label in dataset.y[rows]]
    assert [table.item(row, 3).text() for row in range(8)] == expected
    assert [table.item(row, 2).text() for row in range(8)] == targets
    right = sum(target == answer for target, answer in zip(targets, expected, strict=True))
    assert panel.note.text() == f"{right} of 8 right."
    assert isinstance(table.item(0, 1).data(Qt.ItemDataRole.DecorationRole), QPixmap)  # a digit
    train_to_end(qtbot, window)  # with the predictions on show, new ones follow the trained model
    assert not any("Cannot predict" in line for line in window.log_panel.lines())
    assert [int(table.item(row, 0).text()) for row in range(8)] != rows  # 8 other random samples


def test_plots_export_as_png_and_csv(make_window, qtbot, tmp_path):
    window = make_window(example("xor_mlp", epochs=3))
    train_to_end(qtbot, window)
    plots = window.training.plots
    plots.export_png(tmp_path / "plots.png")
    assert (tmp_path / "plots.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    epochs, batches = plots.export_csv(tmp_path / "run.csv")
    assert batches == tmp_path / "run.batches.csv"
    assert len(epochs.read_text().splitlines()) == 1 + 3
    rows = batches.read_text().splitlines()
    assert len(rows) == 1 + len(window.training.controller.record.batches)
    assert rows[0].startswith("epoch,loss,lr,grad_norm/")


def test_the_window_is_laid_out_for_a_run_before_its_thread_starts(make_window, qtbot, monkeypatch):
    """Drawn while the training thread runs, the new layout's frame waited on the GIL for tens of
    milliseconds; laid out and drawn first, the run starts on a window that has nothing to redo."""
    window = make_window(example("spiral_mlp", epochs=7))
    window.resize(1600, 1000)
    ui = window.training
    seen = {}
    start = ui.controller.collector.hold

    def thread_about_to_start():
        view = window.designer.view
        seen.update(
            dock=ui.dock.height(), bar=ui.progress.bar.isVisible(),
            epochs=ui.plots.curves.loss_plot.viewRange()[0],
            canvas=view.mapToScene(view.viewport().rect()).boundingRect().contains(
                view.scene().nodes_rect()),
        )
        start()

    monkeypatch.setattr(ui.controller.collector, "hold", thread_about_to_start)
    # the bottom panels start readable (test_window_layout); a user may have made them small
    window.resizeDocks([ui.dock], [120], Qt.Orientation.Vertical)
    QCoreApplication.processEvents()
    before = ui.dock.height()
    assert before < bottom_height(window.height())
    train_to_end(qtbot, window)
    assert before < seen["dock"] == ui.dock.height()  # grown, and as tall as it stays
    assert seen["bar"] and seen["canvas"]
    low, high = seen["epochs"]
    assert low <= 0.0 and 7.0 <= high < 7.5


def test_when_the_plots_dock_grows_the_canvas_still_shows_every_node(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=2))
    window.resize(1600, 1000)
    window.designer.view.fit_all()
    train_to_end(qtbot, window)
    view = window.designer.view
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.scene().nodes_rect())
