"""Trained weights are work: kept with the project on save, loaded when it opens (only into the
network they were trained for), and never dropped without a question (New, Open, Close, Reset)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from desktop_app.fileio import load_weights_npz
from desktop_app.project import example_path, load_project, save_project
from tests.cli.cli_run import run_cli, saved_xor

WAIT = 20_000
Button = QMessageBox.StandardButton


@pytest.fixture
def xor_file(tmp_path):
    """The XOR example saved as a project of the user's, two epochs a run."""
    return saved_xor(tmp_path)


def train(qtbot, window) -> None:
    ui = window.training
    assert ui.train.isEnabled()
    ui.train.trigger()
    qtbot.waitUntil(lambda: ui.controller.state == "idle", timeout=WAIT)


def start_long_run(qtbot, window):
    controller = window.training.controller
    window.document.edit("Long run", lambda data: data["training"].update(epochs=100_000))
    window.document.undo_stack.setClean()
    with qtbot.waitSignal(controller.progressed, timeout=WAIT):
        window.training.train.trigger()
    return controller


def weights_status(window) -> str:
    return window.project_weights.label.text()


def widen_hidden_layer(window, units: int = 12) -> None:
    def change(data):
        data["model"]["nodes"][1]["config"]["units"] = units
    window.document.edit("Wider", change)


def test_save_keeps_the_trained_weights_beside_the_project_and_reopening_loads_them(
        make_window, qtbot, xor_file, tmp_path):
    window = make_window(load_project(xor_file))
    assert weights_status(window) == "Weights: untrained"
    train(qtbot, window)
    assert weights_status(window) == "Weights: trained, not saved"
    trained = window.training.controller.trained_model().get_weights()
    assert not window.document.dirty  # training changes no setting, yet Ctrl+S has work to keep
    window.actions.save.trigger()

    weights = tmp_path / "xor.weights.npz"
    record = json.loads((tmp_path / "xor.weights.data.json").read_text())
    assert json.loads(xor_file.read_text())["weights"] == "xor.weights.npz"
    assert len(record["graph"]) == 16  # the network's fingerprint, for the stale check
    saved = load_weights_npz(weights)
    assert all(np.array_equal(saved[key], trained[key]) for key in trained)
    assert weights_status(window) == "Weights: xor.weights.npz" and not window.document.dirty

    reopened = make_window(load_project(xor_file))
    controller = reopened.training.controller
    qtbot.waitUntil(lambda: controller.has_model, timeout=WAIT)
    loaded = controller.trained_model().get_weights()
    assert all(np.array_equal(loaded[key], trained[key]) for key in trained)
    assert weights_status(reopened) == "Weights: xor.weights.npz"
    assert reopened.training.predict.isEnabled()
    reopened.training.predict.trigger()
    assert reopened.training.plots.predictions.table.rowCount() > 0

    # the CLI finds them where the window put them (and says so)
    result = run_cli("export", xor_file, "--format", "npz", "-o", tmp_path / "out.npz", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"weights: {weights}" in result.stdout
    exported = load_weights_npz(tmp_path / "out.npz")
    assert all(np.array_equal(exported[key], trained[key]) for key in trained)


def test_weights_of_another_network_show_as_stale_and_are_not_loaded(make_window, qtbot, xor_file):
    window = make_window(load_project(xor_file))
    train(qtbot, window)
    window.actions.save.trigger()
    # the same shapes, another network: Tanh becomes ReLU; saved without training again
    window.document.edit("ReLU", lambda data: data["model"]["nodes"][2].update(type="ReLU"))
    assert "stale" in weights_status(window)
    window.actions.save.trigger()

    reopened = make_window(load_project(xor_file))
    assert "stale" in weights_status(reopened)
    assert "another network" in reopened.project_weights.label.toolTip()
    assert not reopened.training.controller.has_model and not reopened.training.predict.isEnabled()
    assert any("not loaded" in line for line in reopened.log_panel.lines())


def test_retraining_a_changed_network_replaces_the_weights_the_project_points_at(
        make_window, qtbot, xor_file, tmp_path):
    window = make_window(load_project(xor_file))
    train(qtbot, window)
    window.actions.save.trigger()
    widen_hidden_layer(window)
    train(qtbot, window)
    window.actions.save.trigger()
    assert load_weights_npz(tmp_path / "xor.weights.npz")["hidden/kernel"].shape == (2, 12)

    reopened = make_window(load_project(xor_file))
    controller = reopened.training.controller
    qtbot.waitUntil(lambda: controller.has_model, timeout=WAIT)
    assert controller.trained_model().get_weights()["hidden/kernel"].shape == (2, 12)


@pytest.mark.parametrize("leave", ["new", "open", "close"])
def test_leaving_unsaved_trained_weights_asks(make_window, qtbot, dialogs, xor_file, tmp_path, leave):
    other = tmp_path / "other.bps.json"
    save_project(load_project(example_path("spiral_mlp")), other)
    window = make_window(load_project(xor_file))
    train(qtbot, window)
    controller = window.training.controller
    actions = {"new": window.new_project, "open": lambda: window.open_project(other), "close": window.close}
    beside = tmp_path / "xor.weights.npz"

    dialogs.answer = Button.Cancel
    actions[leave]()
    assert "trained weights are not saved" in dialogs.texts("question")[-1]
    assert window.document.path == xor_file.resolve() and window.isVisible()
    assert controller.has_model and controller.unsaved_weights and not beside.exists()

    dialogs.answer = Button.Discard
    actions[leave]()
    assert not beside.exists() and json.loads(xor_file.read_text())["weights"] is None
    if leave == "close":
        assert not window.isVisible()
    else:
        assert window.document.path == (other.resolve() if leave == "open" else None)
        assert not controller.has_model and weights_status(window) == "Weights: untrained"


@pytest.mark.parametrize("leave", ["new", "close"])
def test_save_before_leaving_writes_the_weights(make_window, qtbot, dialogs, xor_file, tmp_path, leave):
    window = make_window(load_project(xor_file))
    train(qtbot, window)
    dialogs.answer = Button.Save
    window.new_project() if leave == "new" else window.close()
    assert (tmp_path / "xor.weights.npz").is_file() and (tmp_path / "xor.weights.data.json").is_file()
    assert json.loads(xor_file.read_text())["weights"] == "xor.weights.npz"
    assert (window.document.path is None) if leave == "new" else not window.isVisible()


def test_closing_during_a_run_asks_and_save_keeps_the_run(make_window, qtbot, dialogs, xor_file, tmp_path):
    window = make_window(load_project(xor_file))
    controller = start_long_run(qtbot, window)
    dialogs.answer = Button.Cancel
    window.close()
    assert "A training run is on" in dialogs.texts("question")[-1]
    assert window.isVisible() and controller.state == "running"
    dialogs.answer = Button.Save
    window.close()
    assert not window.isVisible() and controller.state == "idle"
    assert controller.last_result.reason == "stopped"
    assert json.loads(xor_file.read_text())["weights"] == "xor.weights.npz"
    assert (tmp_path / "xor.weights.npz").is_file()


def test_opening_during_a_run_and_discarding_stops_it(make_window, qtbot, dialogs, xor_file, tmp_path):
    window = make_window(load_project(xor_file))
    controller = start_long_run(qtbot, window)
    ended = []
    controller.bridge.run_ended.connect(lambda result: ended.append(result.history.reason))
    dialogs.answer = Button.Discard
    window.new_project()
    # the run was stopped, then forgotten with the project (Open and New reset every training view)
    assert controller.state == "idle" and ended == ["stopped"] and controller.last_result is None
    assert window.document.path is None and not controller.has_model
    assert not (tmp_path / "xor.weights.npz").exists()


def test_reset_weights_asks_first(make_window, qtbot, dialogs, xor_file):
    window = make_window(load_project(xor_file))
    train(qtbot, window)
    controller = window.training.controller
    dialogs.answer = Button.Cancel
    window.training.reset.trigger()
    assert "not saved and will be lost" in dialogs.texts("question")[-1]
    assert controller.has_model and len(controller.record.batches) > 0
    dialogs.answer = Button.Reset
    window.training.reset.trigger()
    assert not controller.has_model and len(controller.record.batches) == 0
