"""Help > Plugins manages plugins from the window: install (a drop-in file, or pip in a child
process), disable, enable and uninstall, with the palette, forms and export menu updated at once
and every error shown in the dialog, never raised."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from desktop_app import __version__
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.plugin_details import imported_versions, restart_notes
from desktop_app.gui.registry_refresh import update_registry
from desktop_app.paths import REPO_ROOT
from desktop_app.plugin_system import LOAD_PLUGINS_ENV, PluginInfo, current_host, current_registry, use_host
from desktop_app.plugin_system.discovery import DROP_IN_MODULE_PREFIX
from desktop_app.project.examples import example_path
from desktop_app.project.files import load_project
from desktop_app.registry import Registry
from desktop_app.settings import CONFIG_DIR_ENV, DATA_DIR_ENV, load_settings, plugin_dir

STRETCH = '''
from desktop_app.engine.layer import Layer
from desktop_app.engine.losses import MeanSquaredError
from desktop_app.engine.schema import ParamSpec, schema
from desktop_app.export.base import Exporter
from desktop_app.fileio import atomic_write_text
from desktop_app.hookspecs import hookimpl


class Stretch(Layer):
    type_name = "Stretch"
    category = "Experimental"
    description = "DESCRIPTION"
    schema = schema(ParamSpec("factor", "float", 2.0, "the multiplier", minimum=0.5, maximum=4.0))

    def output_shape(self, *shapes):
        return shapes[0]

    def forward(self, x, training=False):
        return x * self.config["factor"]

    def backward(self, grad):
        return (grad * self.config["factor"],)


class HalfSquaredError(MeanSquaredError):
    type_name = "half_mse"
    description = "Half the mean squared error."

    def total(self, diff):
        return 0.5 * super().total(diff)

    def derivative(self, diff):
        return diff * 1.0


class LayerList(Exporter):
    type_name = "layer-list"
    suffix = ".txt"
    description = "The layer names, one a line."

    def export(self, model, path, *, registry):
        atomic_write_text(path, "\\n".join(model.order))


@hookimpl
def register_layers(register):
    register(Stretch)


@hookimpl
def register_losses(register):
    register(HalfSquaredError)


@hookimpl
def register_exporters(register):
    register(LayerList)
'''


@pytest.fixture
def user_plugins(monkeypatch, tmp_path):
    """This test's own settings and plugin folders, and a plugin host loaded from them."""
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "config"))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv(LOAD_PLUGINS_ENV, "")  # records the original value, restored after the test
    monkeypatch.delenv(LOAD_PLUGINS_ENV)
    previous = use_host(None)
    yield tmp_path
    use_host(previous)
    for name in [name for name in sys.modules if name.startswith(DROP_IN_MODULE_PREFIX)]:
        del sys.modules[name]


@pytest.fixture
def window(qtbot, settings, user_plugins) -> MainWindow:
    """The window on the digits MLP, listing the real plugins (not a fixed list)."""
    window = MainWindow(load_project(example_path("digits_mlp")), settings, current_registry())
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.designer.dataset.loaded, timeout=10_000):
        window.show()
    return window


@pytest.fixture
def manager(window):
    dialog = window.show_plugins()
    yield dialog
    if not dialog.busy:
        dialog.close()


def plugin_file(folder: Path, name: str, source: str = STRETCH,
                description: str = "Multiplies by a factor.") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source).replace("DESCRIPTION", description))
    return path


def finish(qtbot, dialog, action) -> bool:
    """Run ``action`` and wait until the dialog's operation (and its reload) ended; its outcome."""
    with qtbot.waitSignal(dialog.operation_finished, timeout=120_000) as blocker:
        action()
    return blocker.args[0]


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def rows(dialog) -> dict[str, tuple[str, str, str, list[str]]]:
    """Plugin name -> (status, source, version, the texts of its child rows)."""
    tree = dialog.tree
    listed = {}
    for index in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(index)
        children = [item.child(i).text(0) for i in range(item.childCount())]
        listed[item.text(0)] = (item.text(1), item.text(2), item.text(3), children)
    return listed


def palette_items(window) -> dict[str, str]:
    """Layer type -> its description, as the palette shows them."""
    from desktop_app.gui.palette import DESCRIPTION_ROLE

    tree = window.designer.palette.tree
    found = {}
    for group in range(tree.topLevelItemCount()):
        parent = tree.topLevelItem(group)
        for index in range(parent.childCount()):
            found[parent.child(index).text(0)] = parent.child(index).data(0, DESCRIPTION_ROLE)
    return found


def loss_choices(window) -> list[str]:
    chooser = window.designer.training.components["loss"].chooser
    return [chooser.itemText(i) for i in range(chooser.count())]


def install_stretch(qtbot, manager, tmp_path, description: str = "Multiplies by a factor.") -> bool:
    path = plugin_file(tmp_path / "downloads", "stretch", description=description)
    return finish(qtbot, manager, lambda: manager.install_drop_in(path))


def test_lists_every_plugin_and_explains_why_built_ins_cannot_be_changed(manager):
    listed = rows(manager)
    assert list(listed) == list(current_host().plugins)
    status, source, version, children = listed["builtin.layers"]
    assert (status, source, version) == ("active", "built-in", __version__)
    assert any(child.startswith("layers: ") and "Dense" in child for child in children)
    manager.select("builtin.layers")
    assert "Dense" in manager.details.toPlainText()
    assert manager.install_button.isEnabled()
    for button, verb in ((manager.uninstall_button, "uninstalled"), (manager.disable_button, "disabled")):
        assert not button.isEnabled()
        assert f"cannot be {verb}" in button.toolTip()
    assert not manager.enable_button.isEnabled()
    assert "always enabled" in manager.enable_button.toolTip()


def test_a_drop_in_installed_from_the_menu_appears_in_palette_forms_and_export_menu(
        qtbot, window, manager, monkeypatch, tmp_path, dialogs):
    source = plugin_file(tmp_path / "downloads", "stretch")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args, **_kwargs: (str(source), ""))
    assert "Stretch" not in palette_items(window)
    assert finish(qtbot, manager, manager.install_menu.from_file.trigger)
    assert (plugin_dir() / "stretch.py").read_text() == source.read_text()
    assert "installed plugin 'stretch'" in manager.output.toPlainText()
    status, origin, _version, children = rows(manager)["stretch"]
    assert (status, origin) == ("active", "folder")
    assert children == ["exporters: layer-list", "layers: Stretch", "losses: half_mse"]
    assert palette_items(window)["Stretch"] == "Multiplies by a factor."
    assert "half_mse" in loss_choices(window)
    assert "layer-list (.txt)…" in [action.text() for action in window.export_menu.actions()]

    # the new layer works in the designer right away: added, edited in its generated form, valid
    designer = window.designer
    designer.scene.select_names(["relu"])
    assert designer.add_layer("Stretch") == "stretch_1"
    assert designer.inspector.form.editors["factor"].value() == 2.0
    assert designer.validation.shapes["stretch_1"] == (128,)
    assert designer.graph_valid

    # installing it again asks before replacing; the new version is what the palette shows
    dialogs.answer = QMessageBox.StandardButton.Yes
    assert install_stretch(qtbot, manager, tmp_path, description="Version two.")
    assert any("Replace it?" in text for text in dialogs.texts("question"))
    assert palette_items(window)["Stretch"] == "Version two."
    assert designer.graph_valid


def test_disable_and_enable_take_effect_without_a_restart(qtbot, window, manager, tmp_path):
    assert install_stretch(qtbot, manager, tmp_path)
    designer = window.designer
    designer.scene.select_names(["relu"])
    designer.add_layer("Stretch")
    manager.select("stretch")
    assert manager.disable_button.isEnabled() and not manager.enable_button.isEnabled()
    assert "is not disabled" in manager.enable_button.toolTip()

    assert finish(qtbot, manager, lambda: click(qtbot, manager.disable_button))
    assert load_settings().disabled_plugins == ["stretch"]
    assert rows(manager)["stretch"][0] == "disabled"
    assert "Stretch" not in palette_items(window)
    assert "half_mse" not in loss_choices(window)
    assert not designer.graph_valid
    assert "Stretch" in designer.validation.errors["stretch_1"]
    assert manager.enable_button.isEnabled() and not manager.disable_button.isEnabled()
    assert "already disabled" in manager.disable_button.toolTip()

    assert finish(qtbot, manager, lambda: click(qtbot, manager.enable_button))
    assert load_settings().disabled_plugins == []
    assert rows(manager)["stretch"][0] == "active"
    assert "Stretch" in palette_items(window)
    assert designer.graph_valid


def test_a_broken_drop_in_shows_its_error_and_traceback_while_the_app_keeps_working(
        qtbot, window, manager, tmp_path):
    builtin_layers = set(palette_items(window))
    broken = plugin_file(tmp_path / "downloads", "broken", 'raise RuntimeError("boom at import")\n')
    assert finish(qtbot, manager, lambda: manager.install_drop_in(broken))
    status, _source, _version, children = rows(manager)["broken"]
    assert status == "failed"
    assert children == ["problem: plugin 'broken' "
                        f"({plugin_dir() / 'broken.py'}) could not be imported: RuntimeError: boom at import"]
    manager.select("broken")
    assert "boom at import" in manager.details.toPlainText()
    assert "Traceback" not in manager.details.toPlainText()
    manager.show_tracebacks.setChecked(True)
    details = manager.details.toPlainText()
    assert "Traceback (most recent call last)" in details
    assert 'raise RuntimeError("boom at import")' in details
    assert manager.disable_button.isEnabled() and manager.uninstall_button.isEnabled()

    # everything else keeps working
    assert set(palette_items(window)) == builtin_layers
    window.designer.scene.select_names(["relu"])
    assert window.designer.add_layer("Dense") is not None
    assert window.designer.graph_valid

    # a file that is not even Python is refused before it is copied; the error is shown, not raised
    garbled = plugin_file(tmp_path / "downloads", "garbled", "def broken(:\n")
    assert not finish(qtbot, manager, lambda: manager.install_drop_in(garbled))
    assert "line 1: not valid Python" in manager.output.toPlainText()
    assert manager.status.text().startswith("error:")
    assert not (plugin_dir() / "garbled.py").exists()
    assert not manager.busy and manager.install_button.isEnabled()


def test_uninstall_asks_then_removes_the_plugin_and_its_items(qtbot, window, manager, tmp_path, dialogs):
    assert install_stretch(qtbot, manager, tmp_path)
    manager.select("stretch")
    manager.uninstall()  # the recorder answers Discard: nothing happens
    assert not manager.busy
    question = dialogs.texts("question")[-1]
    assert question == f"Uninstall 'stretch'? Its file {plugin_dir() / 'stretch.py'} is deleted."
    assert (plugin_dir() / "stretch.py").exists()

    dialogs.answer = QMessageBox.StandardButton.Yes
    assert finish(qtbot, manager, lambda: click(qtbot, manager.uninstall_button))
    assert not (plugin_dir() / "stretch.py").exists()
    assert "stretch" not in rows(manager)
    assert "Stretch" not in palette_items(window)
    assert "half_mse" not in loss_choices(window)
    assert "removed" in manager.output.toPlainText()
    assert manager.selected() is None and not manager.uninstall_button.isEnabled()


def test_closing_waits_for_a_running_command_which_stop_ends(qtbot, manager, tmp_path):
    busy_child = "import time; print('working', flush=True); time.sleep(60)"
    manager.command.program = (sys.executable, "-c", busy_child)
    manager.install_package("anything")
    qtbot.waitUntil(lambda: "working" in manager.output.toPlainText(), timeout=30_000)
    assert manager.busy and manager.stop_button.isVisible()
    assert not manager.install_button.isEnabled()
    manager.reject()
    assert manager.isVisible()
    assert "Still working" in manager.status.text()
    manager.set_enabled(False, manager.select("builtin.layers"))  # refused: built in
    manager.install_drop_in(plugin_file(tmp_path, "later"))  # refused: one operation at a time
    assert "must wait for the current operation" in manager.status.text()
    assert not (plugin_dir() / "later.py").exists()

    assert not finish(qtbot, manager, lambda: click(qtbot, manager.stop_button))
    assert "stopped by the user" in manager.output.toPlainText()
    assert not manager.busy and not manager.stop_button.isVisible()
    manager.reject()
    assert not manager.isVisible()


def test_each_install_source_reaches_the_plugins_install_command(qtbot, manager, monkeypatch, tmp_path):
    # the child prints its arguments instead of running pip
    manager.command.program = (sys.executable, "-c", "import sys; print(sys.argv[1:])")
    wheel, folder = tmp_path / "extra-1.0-py3-none-any.whl", tmp_path / "project"
    monkeypatch.setattr(QInputDialog, "getText", lambda *_args, **_kwargs: (" backprop-studio-extra ", True))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args, **_kwargs: (str(wheel), ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args, **_kwargs: str(folder))
    menu = manager.install_menu
    for action, spec in ((menu.from_pypi, "backprop-studio-extra"), (menu.from_archive, str(wheel)),
                         (menu.from_folder, str(folder))):
        assert finish(qtbot, manager, action.trigger)
        output = manager.output.toPlainText()
        assert f"$ backprop-studio plugins install {spec}\n{['install', spec]}" in output
    monkeypatch.setattr(QInputDialog, "getText", lambda *_args, **_kwargs: ("   ", True))
    menu.from_pypi.trigger()  # no name: nothing runs
    assert not manager.busy


@pytest.mark.slow
def test_pip_installs_a_plugin_folder_in_the_background_and_its_layers_appear(
        qtbot, window, manager, monkeypatch, tmp_path, dialogs):
    """The one test running pip: into a --target folder put on the path (never into the venv)."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setenv("PIP_TARGET", str(site))
    monkeypatch.setenv("PYTHONPATH", str(site))  # the child command sees what it installed
    monkeypatch.syspath_prepend(str(site))
    project = tmp_path / "src" / "backprop-studio-extra-layers"
    shutil.copytree(REPO_ROOT / "plugins" / project.name, project,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    try:
        # a failure is shown with pip's own words, and nothing changes
        missing = tmp_path / "missing-1.0-py3-none-any.whl"
        assert not finish(qtbot, manager, lambda: manager.install_package(str(missing)))
        output = manager.output.toPlainText()
        assert f"$ backprop-studio plugins install {missing}" in output
        assert "does not exist" in output and f"error: pip could not install {missing}" in output
        assert manager.status.text().startswith("The operation failed")
        assert "Swish" not in palette_items(window)

        assert finish(qtbot, manager, lambda: manager.install_package(
            str(project), ("--no-deps", "--no-build-isolation")))
        output = manager.output.toPlainText()
        assert "Successfully installed backprop-studio-extra-layers-0.1.0" in output
        assert "installed plugin 'extra_layers'" in output
        status, source, version, children = rows(manager)["extra_layers"]
        assert (status, source, version) == ("active", "entry point", "0.1.0")
        assert children == ["layers: Swish, LayerNorm", "ONNX mappings: Swish, LayerNorm",
                            "PyTorch code: Swish, LayerNorm"]
        assert {"Swish", "LayerNorm"} <= set(palette_items(window))
        window.designer.scene.select_names(["relu"])
        window.designer.add_layer("Swish")
        assert window.designer.graph_valid

        manager.select("extra_layers")
        manager.uninstall()  # answered Discard: only the question, which names what pip removes
        assert "pip removes the distribution backprop-studio-extra-layers" in dialogs.texts("question")[-1]
    finally:
        for name in [name for name in sys.modules if name.startswith("backprop_studio_extra_layers")]:
            del sys.modules[name]


def test_a_restart_is_asked_for_only_when_imported_code_is_removed_or_replaced():
    infos = [PluginInfo("upgraded", "entry point", "json:dumps", version="1.0"),
             PluginInfo("removed", "entry point", "json.decoder:JSONDecoder", version="2.0"),
             PluginInfo("never_imported", "entry point", "no_such_module_here:plugin", version="1.0"),
             PluginInfo("dropped_in", "folder", "/plugins/dropped_in.py")]
    imported = imported_versions(infos)
    assert imported == {"upgraded": "1.0", "removed": "2.0"}
    after = [PluginInfo("upgraded", "entry point", "json:dumps", version="1.1"), infos[2]]
    notes = restart_notes(imported, after)
    assert len(notes) == 2
    assert "'upgraded' 1.1 is installed, but version 1.0 was already imported" in notes[0]
    assert "'removed' is uninstalled" in notes[1] and "restart Backprop Studio" in notes[1]
    assert restart_notes(imported, infos) == []


def test_the_window_registry_is_updated_in_place():
    target, source = Registry(), Registry()
    target.add("layers", "Old", object, "gone")
    target.add("layers", "Kept", int, "first")
    source.add("layers", "Kept", float, "second")
    source.add("losses", "New", str, "second")
    target.unloaded["mish"] = ("failed", "could not be imported: ImportError: x")
    source.unloaded["mish"] = ("disabled", "disabled in settings")
    target.distributions["gone"] = ("gone-dist", "1.0")
    source.distributions["second"] = ("second-dist", "2.0")
    layers = target.layers
    update_registry(target, source)
    assert target.layers is layers  # views holding the table see the change
    assert target.layers == {"Kept": float} and target.losses == {"New": str}
    assert target.owners == source.owners
    assert target.unloaded == source.unloaded  # what the window says of a project's missing types
    assert target.distributions == {"second": ("second-dist", "2.0")}  # what a save records
