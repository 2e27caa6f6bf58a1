"""No stale or false state: what the window shows is about the project open now and the run on now
(Open and New start every training view over, the Log has no errors that are not, the learning
rate is the project's, Train says why it cannot start, the graph cannot change under a run)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from desktop_app.gui.plugins_dialog import PluginsDialog
from desktop_app.gui.registry_refresh import update_registry
from desktop_app.plugin_system import PluginInfo, current_registry
from desktop_app.project import example_path
from desktop_app.registry import Registry
from tests.gui.runs import WAIT, example, start_long_run, stop_and_wait, train_to_end


def logged_errors(window, monkeypatch) -> list[str]:
    """The messages the window logs as errors from now on."""
    errors: list[str] = []
    log = window.log_panel.log

    def spy(message: str, level: str = "info") -> None:
        if level == "error":
            errors.append(message)
        log(message, level)

    monkeypatch.setattr(window.log_panel, "log", spy)
    return errors


def type_in(box, text: str) -> None:
    box.setFocus()
    box.selectAll()
    box.insert(text)
    box.editingFinished.emit()


# --- Open and New start the training views over ------------------------------------------------------
@pytest.mark.parametrize("how", ["open", "new"])
def test_open_and_new_reset_every_training_view(make_window, qtbot, how):
    window = make_window(example("xor_mlp", epochs=2))
    ui = window.training
    train_to_end(qtbot, window)
    curves = ui.plots.curves
    assert len(curves.batch_loss.getData()[0]) and curves.norm_layers == ("hidden", "logit")
    assert "hidden" in curves.norm_plot.titleLabel.text and ui.progress.label.text()
    with qtbot.waitSignal(window.designer.dataset.loaded, timeout=WAIT):
        if how == "open":
            assert window.open_project(example_path("digits_mlp"))
        else:
            window.new_project()
    assert len(ui.controller.record.batches) == 0 and not ui.controller.has_model
    assert ui.controller.last_result is None
    assert len(curves.batch_loss.getData()[0]) == 0 and len(curves.val_loss.getData()[0]) == 0
    assert curves.norm_layers == () and "hidden" not in curves.norm_plot.titleLabel.text
    assert curves.metric_curves == {}
    assert curves.loss_plot.viewRange()[0][1] < 1.5  # the epoch axis starts over too
    assert ui.progress.label.text() == "" and not ui.progress.bar.isVisible()
    assert ui.learning_rate.text() == ("0.001" if how == "open" else "0.01")
    assert not ui.save_weights.isEnabled() and not ui.predict.isEnabled()


def test_opening_a_project_logs_no_error_about_the_previous_dataset(make_window, qtbot, monkeypatch):
    """The new graph used to be checked against the previous project's dataset until the new one
    loaded: every Open wrote red errors that were not true."""
    window = make_window(example("xor_mlp", epochs=2))
    errors = logged_errors(window, monkeypatch)
    with qtbot.waitSignal(window.designer.dataset.loaded, timeout=WAIT):
        window.open_project(example_path("digits_mlp"))
    with qtbot.waitSignal(window.designer.dataset.loaded, timeout=WAIT):
        window.new_project()
    assert errors == []
    assert window.designer.graph_valid is False  # New: an empty network (no error about it either)


# --- the learning rate box ---------------------------------------------------------------------------
def test_the_learning_rate_box_is_the_projects_learning_rate(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=2))
    box = window.training.learning_rate
    assert box.isEnabled() and box.text() == "0.01"  # before any run: not a greyed 0.000000
    type_in(box, "1e-7")
    training = window.document.data["training"]
    assert training["optimizer"]["config"]["learning_rate"] == pytest.approx(1e-7)
    assert box.text() == "1e-07"
    inspector = window.designer.training.components["optimizer"]
    assert "1e-07" in [editor.text() for editor in inspector.findChildren(type(box).__mro__[1])]
    window.document.undo_stack.undo()
    assert box.text() == "0.01"


def test_a_learning_rate_changed_during_a_run_is_the_projects_afterwards(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=100_000))
    controller = start_long_run(qtbot, window)
    # 0.02, not 0.25: the spiral diverges at 0.25 a few epochs in, and Train after a diverged run
    # starts from fresh weights rather than resuming (tests/gui/test_training_after_divergence.py)
    box = window.training.learning_rate
    type_in(box, "0.02")
    qtbot.waitUntil(lambda: controller.record.latest.lrs[-1] == pytest.approx(0.02), timeout=WAIT)
    stop_and_wait(qtbot, window)
    assert window.document.data["training"]["optimizer"]["config"]["learning_rate"] == 0.02
    assert box.text() == "0.02"
    model = controller.trained_model()
    with qtbot.waitSignal(controller.progressed, timeout=WAIT):
        window.training.train.trigger()
    assert np.all(controller.record.latest.lrs == pytest.approx(0.02))
    stop_and_wait(qtbot, window)
    assert controller.trained_model() is model  # the same run resumed, optimizer state and all


# --- what keeps Train from starting is found live ----------------------------------------------------
def test_a_class_count_that_does_not_match_the_output_is_shown_on_the_output_node(make_window):
    project = example("digits_mlp", epochs=1)
    project.nodes[-1].config["units"] = 3
    window = make_window(project)
    designer, train = window.designer, window.training.train
    problem = designer.validation.errors["logits"]
    assert "node 'logits'" in problem and "10 classes" in problem and "(3,)" in problem
    assert "$." not in problem
    assert not designer.graph_valid and not train.isEnabled()
    assert "10 classes" in train.toolTip() and train.statusTip() == train.toolTip()
    assert "10 classes" in window.validation_status.toolTip()
    assert "10 classes" in window.designer.scene.nodes["logits"].toolTip()
    designer._set_param("logits", "units", 10)
    assert designer.graph_valid and train.isEnabled() and "Train the network" in train.toolTip()


def test_a_loss_that_does_not_fit_the_task_keeps_train_disabled_and_says_why(make_window):
    project = example("sine_regression", epochs=1)
    project.training.loss = project.training.loss.__class__("categorical_crossentropy")
    window = make_window(project)
    train = window.training.train
    assert not window.designer.graph_valid and not train.isEnabled()
    assert "categorical_crossentropy" in train.toolTip() and "regression targets" in train.toolTip()
    assert "Training tab" in window.validation_status.toolTip()


def test_a_metric_for_another_task_keeps_train_disabled(make_window):
    window = make_window(example("sine_regression", epochs=1, metrics=["accuracy"]))
    assert not window.training.train.isEnabled()
    assert "'accuracy'" in window.training.train.toolTip()


def test_train_says_when_the_dataset_is_loading_or_failed(make_window, qtbot, tmp_path):
    window = make_window(example("xor_mlp", epochs=1))
    train = window.training.train
    window.designer.dataset.import_file(str(tmp_path / "absent.csv"))
    assert not train.isEnabled() and "loading" in train.toolTip()
    qtbot.waitUntil(lambda: "could not be loaded" in train.toolTip(), timeout=WAIT)
    assert "absent.csv" in train.toolTip() and not train.isEnabled()


# --- the project is locked while a run trains it ----------------------------------------------------
def test_the_project_is_locked_while_a_run_is_on(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=100_000))
    designer, a = window.designer, window.actions
    designer._move({"input": (10.0, 10.0)})  # something to undo, from before the run
    assert a.undo.isEnabled()
    before = window.document.project().to_json()["model"]
    controller = start_long_run(qtbot, window)
    banner = window.training.edit_lock.banner
    assert banner.isVisible() and "Stop" in banner.text()
    designer.view.centerOn(5000.0, 5000.0)  # the banner stays on the canvas when it scrolls
    assert designer.view.rect().contains(banner.geometry())
    for panel in (designer.palette, designer.inspector, designer.training, designer.dataset):
        assert not panel.isEnabled()
    for action in (a.new, a.open, a.undo, a.redo, a.delete, a.duplicate, a.auto_layout,
                   window.recent_menu.menuAction(), window.examples_menu.menuAction()):
        assert not action.isEnabled(), action.text()
    designer.connect_nodes("input", "logits")  # a drag between ports still arrives: refused
    designer.add_layer("Dense")
    assert window.document.project().to_json()["model"] == before
    designer._move({"logits": (500.0, 40.0)})  # where a card sits is not part of the run
    assert window.document.data["model"]["nodes"][-1]["position"] == {"x": 500.0, "y": 40.0}
    type_in(window.training.learning_rate, "0.02")  # a new undo step, and the stack says "can undo"
    assert not a.undo.isEnabled()
    stop_and_wait(qtbot, window)
    assert controller.state == "idle" and not banner.isVisible()
    assert designer.palette.isEnabled() and designer.inspector.isEnabled() and designer.dataset.isEnabled()
    assert a.undo.isEnabled() and a.new.isEnabled() and a.open.isEnabled() and a.delete.isEnabled()
    assert not a.redo.isEnabled()
    designer.add_layer("Dense")
    assert len(window.document.data["model"]["nodes"]) == len(before["nodes"]) + 1


# --- the status bar counts as the plots do ----------------------------------------------------------
def test_the_status_numbers_epochs_as_the_axis_does_and_shows_no_eta_while_paused(make_window, qtbot):
    window = make_window(example("spiral_mlp", epochs=3))
    ui = window.training
    train_to_end(qtbot, window)
    window.document.edit("Train longer", lambda data: data["training"].update(epochs=100_000))
    controller = start_long_run(qtbot, window)  # continues the curves from epoch 3
    ui.pause.trigger()
    assert controller.control.wait_until_paused(WAIT / 1000)
    with qtbot.waitSignal(window.training.plots.timer.timeout, timeout=WAIT):
        pass  # the batches flushed as the run parked have arrived
    latest = controller.record.latest
    label = ui.progress.label.text()
    assert label.startswith(f"epoch {3 + latest.epoch}/100003 · ")
    assert "ETA" not in label and label.endswith("· paused")
    assert ui.plots.curves.loss_plot.viewRange()[0][1] >= 100_003
    ui.pause.trigger()
    qtbot.waitUntil(lambda: "ETA" in ui.progress.label.text(), timeout=WAIT)
    stop_and_wait(qtbot, window)


# --- failures the user must see ----------------------------------------------------------------------
def test_an_export_that_fails_is_shown_not_only_logged(make_window, qtbot, tmp_path, dialogs):
    window = make_window(example("xor_mlp", epochs=1))
    menu = window.export_menu
    target = tmp_path / "no such folder" / "model.npz"
    assert menu.export("npz", target) is not None
    qtbot.waitUntil(lambda: bool(dialogs.texts("warning")), timeout=WAIT)
    [shown] = dialogs.texts("warning")
    assert "npz" in shown and "no such folder" in shown and not target.exists()


def test_an_export_that_cannot_start_is_shown(make_window, qtbot, dialogs):
    window = make_window(example("spiral_mlp", epochs=100_000))
    start_long_run(qtbot, window)
    assert window.export_menu.export("npz", window.document.path.parent / "x.npz") is None
    assert any("training run is on" in text for text in dialogs.texts("warning"))
    stop_and_wait(qtbot, window)


# --- plugins that did not load -----------------------------------------------------------------------
def registry_with_unloaded_plugins():
    registry = Registry()
    update_registry(registry, current_registry())
    registry.unloaded["mish"] = ("disabled", "disabled in settings")
    registry.unloaded["broken"] = ("failed", "could not be imported: ImportError: no module named 'nope'")
    return registry


def project_needing_mish():
    project = example("xor_mlp", epochs=1)
    project.nodes[2].type = "Mish"
    project.plugins = {"layers": {"Mish": "mish"}}
    return project


def test_a_node_from_a_disabled_plugin_says_so_and_the_window_offers_enable(
        make_window, qtbot, monkeypatch):
    window = make_window(project_needing_mish(), registry_with_unloaded_plugins(), wait_dataset=False)
    problem = window.designer.validation.errors["tanh"]
    assert "plugin 'mish', which is disabled" in problem
    assert "no installed plugin provides it" not in problem
    notice = window.plugin_notice
    assert notice.isVisible() and notice.enable_button.isVisible()
    assert not notice.install_button.isVisible()  # installed: enabling it is the fix
    assert "'mish', which is disabled" in notice.label.text()
    assert "Plugin 'broken' failed to load: could not be imported" in notice.label.text()
    enabled: list[tuple[str, bool]] = []
    monkeypatch.setattr(PluginsDialog, "set_enabled",
                        lambda _dialog, on, info=None: enabled.append((info.name, on)))
    window._plugin_infos = lambda: [PluginInfo("mish", "drop-in", "/plugins/mish.py", state="disabled")]
    qtbot.mouseClick(notice.enable_button, Qt.MouseButton.LeftButton)
    assert enabled == [("mish", True)]


def test_a_missing_distribution_plugin_is_offered_for_install_through_the_plugins_dialog(
        make_window, qtbot, monkeypatch):
    project = project_needing_mish()
    project.plugin_distributions = {"mish": ("backprop-studio-mish", "0.3.1")}
    window = make_window(project, wait_dataset=False)
    notice = window.plugin_notice
    assert notice.isVisible() and notice.install_button.isVisible() and not notice.enable_button.isVisible()
    assert "plugins install backprop-studio-mish==0.3.1" in notice.label.text()
    asked: list[str] = []

    def confirm(*_args, text="", **_kwargs):
        asked.append(text)
        return text, True

    monkeypatch.setattr(QInputDialog, "getText", confirm)
    installed: list[str] = []
    monkeypatch.setattr(PluginsDialog, "install_package",
                        lambda _dialog, spec, options=(): installed.append(spec))
    qtbot.mouseClick(notice.install_button, Qt.MouseButton.LeftButton)
    assert asked == ["backprop-studio-mish==0.3.1"]  # filled in for the user to confirm or edit
    assert installed == ["backprop-studio-mish==0.3.1"]


def test_a_plugin_that_failed_to_load_is_noticed_without_a_dialog(make_window, qtbot, dialogs):
    window = make_window(example("xor_mlp", epochs=1), registry_with_unloaded_plugins())
    notice = window.plugin_notice
    assert notice.isVisible() and "'broken' failed to load" in notice.label.text()
    assert not notice.enable_button.isVisible()  # the project needs nothing from 'mish'
    assert not notice.install_button.isVisible()
    assert dialogs.shown == []
    qtbot.mouseClick(notice.close_button, Qt.MouseButton.LeftButton)
    assert not notice.isVisible()
    window.designer.refresh()  # the same news: it stays hidden
    assert not notice.isVisible()


def test_the_notices_plugins_button_opens_help_plugins_on_the_plugin_that_failed(make_window, qtbot):
    window = make_window(example("xor_mlp", epochs=1), registry_with_unloaded_plugins())
    window._plugin_infos = lambda: [PluginInfo("builtin.layers", "built-in", "desktop_app"),
                                    PluginInfo("broken", "drop-in", "/plugins/broken.py", state="failed")]
    qtbot.mouseClick(window.plugin_notice.plugins_button, Qt.MouseButton.LeftButton)
    (dialog,) = [child for child in window.findChildren(PluginsDialog) if child.isVisible()]
    assert dialog.selected().name == "broken"
