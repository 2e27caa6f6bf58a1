"""The Runs panel: runs of the window and of the CLI listed together, compared (curves overlaid,
only the differing settings listed), resumed from their weights, their project restored."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop_app.fileio import load_weights_npz
from desktop_app.gui import settings_edits
from desktop_app.gui.experiments.panel import RUN_ROLE
from desktop_app.project import load_project, save_project
from desktop_app.project.document import ComponentRef
from tests.cli.cli_run import run_cli
from tests.gui.runs import example, train_to_end
from tests.gui.test_health_tab import TOO_HIGH, health_tab, hint_rules
from tests.gui.test_training_window import FlakyPlugin, with_flaky_layer


def saved_spiral(tmp_path, epochs=3):
    path = tmp_path / "spiral.bps.json"
    save_project(example("spiral_mlp", epochs=epochs), path)
    return load_project(path)


def set_learning_rate(window, value):
    window.document.edit("lr", lambda data: settings_edits.set_component_param(
        data, "optimizer", "learning_rate", value))


def test_window_and_cli_runs_are_listed_compared_and_resumed(make_window, qtbot, tmp_path):
    project = saved_spiral(tmp_path)
    window = make_window(project)
    ui, controller = window.runs, window.training.controller
    train_to_end(qtbot, window)
    first_weights = controller.trained_model().get_weights()
    set_learning_rate(window, 0.05)
    train_to_end(qtbot, window)
    cli = run_cli("train", project.path, "--quiet", "--epochs", "2", home=tmp_path)
    assert cli.returncode == 0, cli.stderr

    ui.dock.show()
    ui.dock.raise_()
    ui.refresh()
    runs = [ui.panel.table.item(row, 0).data(RUN_ROLE) for row in range(ui.panel.table.rowCount())]
    listed = json.loads(run_cli("runs", "list", project.path, "--json", home=tmp_path).stdout)
    assert len(runs) == 3 and {str(run.folder) for run in runs} == {row["folder"] for row in listed}
    by_source = sorted(listed, key=lambda row: row["started"])
    assert [row["source"] for row in by_source] == ["window", "window", "cli"]
    window_runs = sorted((run for run in runs if run.manifest["source"] == "window"),
                         key=lambda run: run.manifest["started"])
    assert all(run.status == "completed" for run in window_runs)
    # the second window run went on from the first one's weights
    assert window_runs[1].manifest["resumed_from"] == window_runs[0].id
    for key, value in load_weights_npz(window_runs[0].weights_path).items():
        np.testing.assert_array_equal(value, first_weights[key])

    ui.panel.select(window_runs)
    comparison = ui.panel.comparison
    assert [run.folder for run in comparison.runs] == [run.folder for run in window_runs]
    for plot in ("loss", "metric"):
        curves = comparison.plots[plot].listDataItems()
        assert len(curves) == 2
        assert curves[0].opts["pen"].color() != curves[1].opts["pen"].color()
        assert [len(curve.xData) for curve in curves] == [3, 3]
    layers = 3  # the spiral network's Dense layers
    assert len(comparison.plots["gradient_norm"].listDataItems()) == 2 * layers
    assert comparison.differing_settings() == ["training.optimizer.learning_rate"]


def test_a_runs_weights_are_used_and_its_project_restored_undoably(make_window, qtbot, tmp_path):
    project = saved_spiral(tmp_path, epochs=2)
    window = make_window(project)
    ui, controller = window.runs, window.training.controller
    train_to_end(qtbot, window)
    controller.reset_weights()
    first = ui.runs()[0]
    assert ui.use_weights(first)
    stored = load_weights_npz(first.weights_path)
    model = controller.trained_model().get_weights()
    assert model.keys() == stored.keys()
    for key, value in stored.items():
        np.testing.assert_array_equal(model[key], value)
    assert window.training.predict.isEnabled()  # predictions and export work from them
    train_to_end(qtbot, window)
    assert ui.runs()[-1].manifest["resumed_from"] == first.id

    set_learning_rate(window, 0.3)
    assert ui.restore_project(first)
    assert window.document.data["training"]["optimizer"]["config"]["learning_rate"] == 0.01
    window.document.undo_stack.undo()
    assert window.document.data["training"]["optimizer"]["config"]["learning_rate"] == 0.3


def test_the_sweep_dialog_trains_in_the_background_and_applies_the_best(make_window, qtbot, tmp_path):
    project = saved_spiral(tmp_path, epochs=2)
    window = make_window(project)
    dialog = window.runs.show_sweep()
    dialog.axes.item(0, 1).setText("0.0001, 0.05")
    dialog.add_axis("training.batch_size", "32")
    assert dialog.axis_texts() == ["training.optimizer.learning_rate=0.0001, 0.05", "training.batch_size=32"]
    assert dialog.start()
    assert dialog.running  # the window's event loop goes on meanwhile
    qtbot.waitUntil(lambda: not dialog.running, timeout=60_000)
    assert [(row["training.optimizer.learning_rate"], row["training.batch_size"]) for row in dialog.rows] == [
        (0.0001, 32), (0.05, 32)]
    assert dialog.results.rowCount() == 2 and dialog.progress.value() == dialog.progress.maximum()
    assert {run.manifest["source"] for run in window.runs.runs()} == {"sweep"}
    best = max(dialog.rows, key=lambda row: row["best_value"])
    assert dialog.apply_best_config()
    training = window.document.data["training"]
    assert training["optimizer"]["config"]["learning_rate"] == best["training.optimizer.learning_rate"]
    window.document.undo_stack.undo()
    assert window.document.data["training"]["optimizer"]["config"]["learning_rate"] == 0.01


def test_a_bad_sweep_value_is_named_and_nothing_trains(make_window, tmp_path):
    window = make_window(saved_spiral(tmp_path))
    dialog = window.runs.show_sweep()
    dialog.axes.item(0, 1).setText("-1")
    assert not dialog.start()
    assert "learning_rate" in dialog.status.text() and not dialog.running
    assert window.runs.runs() == []


def test_a_report_of_two_runs_embeds_the_plots_and_lists_the_differing_settings(make_window, qtbot, tmp_path):
    window = make_window(saved_spiral(tmp_path, epochs=2))
    train_to_end(qtbot, window)
    set_learning_rate(window, 0.05)
    train_to_end(qtbot, window)
    runs = window.runs.runs()
    assert window.runs.write_report(runs, tmp_path / "page.html")
    page = (tmp_path / "page.html").read_text()
    images = re.findall(r"src='data:image/png;base64,([^']+)'", page)
    assert len(images) == 3 and all(base64.b64decode(data).startswith(b"\x89PNG") for data in images)
    assert "<h2>Settings that differ</h2>" in page and "<td>training.optimizer.learning_rate</td>" in page
    assert page.count("<td>training.") == 1  # only the setting that differs
    assert "<script" not in page and "http" not in page  # self-contained


def test_failed_and_diverged_window_runs_are_kept_with_their_status(make_window, qtbot, register_plugin,
                                                                    tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(tmp_path / "data"))  # examples keep runs there
    register_plugin(FlakyPlugin(), "flaky_layers")
    window = make_window(with_flaky_layer(example("spiral_mlp", epochs=5)))
    train_to_end(qtbot, window)
    [failed] = window.runs.runs()
    assert failed.folder.parent == tmp_path / "data" / "runs" / "spiral_mlp"
    assert failed.status == "failed" and "flux capacitor overheated" in failed.manifest["error"]
    assert failed.weights_path is None

    nan = example("sine_regression", epochs=3, optimizer=ComponentRef("sgd", {"learning_rate": 1e20}))
    window = make_window(nan)
    train_to_end(qtbot, window)
    [diverged] = window.runs.runs()
    assert diverged.status == "diverged" and diverged.manifest["ended"] == "non_finite"
    assert diverged.weights_path is not None  # the last finite weights


def test_enter_in_the_sweep_dialog_presses_no_button(make_window, qtbot, tmp_path):
    """Enter after typing values once added a setting row (the dialog's default button)."""
    dialog = make_window(saved_spiral(tmp_path)).runs.show_sweep()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.axes.rowCount() == 1 and dialog.isVisible() and not dialog.running


def test_a_window_run_and_a_cli_run_of_one_project_keep_the_same_curves(make_window, qtbot, tmp_path):
    """One seed, one project: the same history and per-layer gradient norms, whoever trained it."""
    project = saved_spiral(tmp_path, epochs=2)
    window = make_window(project)
    train_to_end(qtbot, window)
    assert run_cli("train", project.path, "--quiet", home=tmp_path).returncode == 0
    window_run, cli_run = sorted(window.runs.runs(), key=lambda run: run.manifest["source"] != "window")
    assert (window_run.manifest["source"], cli_run.manifest["source"]) == ("window", "cli")
    for read in (lambda run: run.history(), lambda run: run.gradient_norms()):
        window_columns, cli_columns = read(window_run), read(cli_run)
        assert window_columns.keys() == cli_columns.keys() and len(window_columns["epoch"]) == 2
        for name in window_columns.keys() - {"seconds", "samples_per_second"}:
            np.testing.assert_allclose(window_columns[name], cli_columns[name], rtol=1e-6, err_msg=name)


def test_rename_delete_and_weights_of_another_network(make_window, qtbot, tmp_path, dialogs):
    window = make_window(saved_spiral(tmp_path, epochs=1))
    ui = window.runs
    train_to_end(qtbot, window)
    train_to_end(qtbot, window)
    ui.dock.show()
    ui.dock.raise_()
    first, second = ui.runs()
    ui._set_notes(first, name="baseline", note="seed 0")
    names = [ui.panel.table.item(row, 0).text() for row in range(ui.panel.table.rowCount())]
    assert sorted(names) == sorted(["baseline", second.id])
    window.document.edit("units", lambda data: data["model"]["nodes"][1]["config"].update(units=8))
    assert not ui.use_weights(second)
    assert "Cannot use the run's weights" in [title for _kind, title, _text in dialogs.shown]
    dialogs.answer = QMessageBox.StandardButton.Yes
    ui._ask_delete([second])
    assert [run.folder for run in ui.runs()] == [first.folder] and ui.panel.table.rowCount() == 1
    assert not second.folder.exists()


@pytest.mark.usefixtures("fixed_health_schedule")
def test_a_window_run_keeps_the_hints_its_health_tab_shows(make_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(tmp_path / "data"))  # examples keep runs there
    window = make_window(example("spiral_mlp", epochs=60,
                                 optimizer=TOO_HIGH))
    panel = health_tab(window)
    train_to_end(qtbot, window)
    qtbot.waitUntil(lambda: "learning_rate_high" in hint_rules(panel))
    [run] = window.runs.runs()
    assert [hint["rule"] for hint in run.manifest["health"]["hints"]] == hint_rules(panel)
