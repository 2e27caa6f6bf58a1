"""The designer window, driven through its real widgets (offscreen): build, connect, edit, undo,
see errors come and go, save, reopen."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox

from desktop_app.engine.graph import NodeSpec
from desktop_app.gui.canvas.view import LAYER_MIME
from desktop_app.paths import EXAMPLES_DIR
from desktop_app.project.examples import EXAMPLES, example_path
from desktop_app.project.files import load_project
from tests.gui.window_input import choose_dataset, inspector_editor, specs, type_into

DIGITS_MLP = [
    NodeSpec("input", "Input", {"shape": [64]}, []),
    NodeSpec("dense_1", "Dense", {"units": 128}, ["input"]),
    NodeSpec("relu_1", "ReLU", {}, ["dense_1"]),
    NodeSpec("dense_2", "Dense", {"units": 10}, ["relu_1"]),
]


# --- driving the widgets ---------------------------------------------------------------------------
def palette_item(window, type_name: str):
    tree = window.designer.palette.tree
    for group_index in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(group_index)
        for index in range(group.childCount()):
            if group.child(index).text(0) == type_name:
                return group.child(index)
    raise AssertionError(f"{type_name} is not in the palette")


def add_with_enter(qtbot, window, type_name: str) -> None:
    """Select the palette entry and press Enter, as a keyboard user would."""
    tree = window.designer.palette.tree
    tree.setCurrentItem(palette_item(window, type_name))
    qtbot.keyClick(tree, Qt.Key.Key_Return)


def add_with_double_click(qtbot, window, type_name: str) -> None:
    tree = window.designer.palette.tree
    item = palette_item(window, type_name)
    tree.scrollToItem(item)
    center = tree.visualItemRect(item).center()
    # a real double click starts with a click: item views need that press to accept the second
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=center)
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=center)


def view_point(window, scene_point: QPointF) -> QPoint:
    return window.designer.view.mapFromScene(scene_point)


def drag(qtbot, window, start: QPointF, end: QPointF) -> None:
    """A left-button drag on the canvas between two scene points."""
    viewport = window.designer.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=view_point(window, start))
    qtbot.mouseMove(viewport, view_point(window, (start + end) / 2))
    qtbot.mouseMove(viewport, view_point(window, end))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=view_point(window, end))


def drop(window, data: QMimeData, scene_point: QPointF) -> None:
    """What a drag and drop delivers to the canvas: enter, then drop."""
    viewport = window.designer.view.viewport()
    at = window.designer.view.mapFromScene(scene_point)
    args = (Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, QDragEnterEvent(at, *args))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(at), *args))


def build_digits_mlp(qtbot, window) -> None:
    window.new_project()
    choose_dataset(qtbot, window, "optdigits")
    add_with_double_click(qtbot, window, "Input")
    add_with_enter(qtbot, window, "Dense")
    type_into(qtbot, inspector_editor(window, "units"), "128")
    add_with_enter(qtbot, window, "ReLU")
    add_with_enter(qtbot, window, "Dense")
    type_into(qtbot, inspector_editor(window, "units"), "10")


# --- tests ------------------------------------------------------------------------------------------
def test_opens_on_the_example_with_a_valid_graph(make_window):
    window = make_window()
    assert window.windowTitle().startswith("digits_mlp.bps.json")
    assert not window.isWindowModified()
    assert window.designer.graph_valid
    assert "9,610 parameters" in window.validation_status.text()
    assert set(window.designer.scene.nodes) == {"input", "hidden", "relu", "logits"}
    labels = {(e.source.name, e.target.name): e.label for e in window.designer.scene.edges}
    assert labels[("hidden", "relu")] == "(128,)"
    assert window.designer.summary.total.text().startswith("Total: 9,610 parameters in 4 layers")


def test_menus_hold_the_standard_actions_with_platform_shortcuts(make_window):
    window = make_window()
    file_texts = [a.text() for a in window.menus["file"].actions()]
    assert {"&New", "&Open…", "Open &Recent", "&Save", "Save &As…", "&Export"} <= set(file_texts)
    edit_texts = [a.text() for a in window.menus["edit"].actions()]
    assert {"&Delete", "Du&plicate"} <= set(edit_texts)
    assert any(text.startswith("&Undo") for text in edit_texts)
    help_texts = [a.text() for a in window.menus["help"].actions()]
    assert {"&Plugins…", "&About Backprop Studio"} <= set(help_texts)
    assert window.actions.undo.shortcut().matches(Qt.Modifier.CTRL | Qt.Key.Key_Z).name == "ExactMatch"
    assert window.actions.save.shortcut().matches(Qt.Modifier.CTRL | Qt.Key.Key_S).name == "ExactMatch"
    export_entries = [a.text() for a in window.export_menu.actions()]
    assert any(text.startswith("onnx") for text in export_entries)


def test_build_the_digits_mlp_from_an_empty_canvas(qtbot, make_window):
    window = make_window()
    build_digits_mlp(qtbot, window)
    assert specs(window) == DIGITS_MLP
    assert window.designer.graph_valid
    assert window.isWindowModified()
    scene = window.designer.scene
    assert scene.nodes["dense_1"].view.shape_text == "(128,)"
    labels = {(e.source.name, e.target.name): e.label for e in scene.edges}
    assert labels == {("input", "dense_1"): "(64,)", ("dense_1", "relu_1"): "(128,)",
                      ("relu_1", "dense_2"): "(128,)"}
    ys = [scene.nodes[spec.name].pos().y() for spec in DIGITS_MLP]
    assert ys == sorted(ys) and len(set(ys)) == 4  # a stack, top to bottom, no overlap
    rows = window.designer.summary.table.rowCount()
    assert rows == 4 and "9,610 parameters" in window.designer.summary.total.text()


def test_undo_and_redo_every_step(qtbot, make_window):
    window = make_window()
    build_digits_mlp(qtbot, window)
    stack = window.document.undo_stack
    assert window.actions.undo.text() == "&Undo Set dense_2.units"
    window.actions.undo.trigger()
    assert specs(window)[3].config == {"units": 32}  # back to the form's starting value
    assert window.designer.inspector.form.editors["units"].value() == 32
    window.actions.redo.trigger()
    assert specs(window) == DIGITS_MLP
    while stack.canUndo():
        window.actions.undo.trigger()
    assert specs(window) == []
    assert window.document.data["dataset"]["type"] == "spiral"
    while stack.canRedo():
        window.actions.redo.trigger()
    assert specs(window) == DIGITS_MLP


def test_connect_ports_with_the_mouse(qtbot, make_window):
    window = make_window()
    build_digits_mlp(qtbot, window)
    designer = window.designer
    designer.scene.clearSelection()
    designer.add_layer("Dense", QPointF(500, 0))
    assert specs(window)[-1].inputs == []
    assert "connect an input" in designer.validation.errors["dense_3"]
    assert not designer.graph_valid
    relu, loose = designer.scene.nodes["relu_1"], designer.scene.nodes["dense_3"]
    drag(qtbot, window, relu.output_anchor(), loose.input_anchor(0, 1))
    assert specs(window)[-1].inputs == ["relu_1"]
    assert "dense_3" not in designer.validation.errors
    # dragging from an input port onto a node body connects the other way round
    designer.scene.clearSelection()
    designer.add_layer("Add", QPointF(250, 900))
    add = designer.scene.nodes["add_1"]
    drag(qtbot, window, add.input_anchor(0, 1), designer.scene.nodes["dense_2"].sceneBoundingRect().center())
    drag(qtbot, window, add.input_anchor(0, 1), loose.sceneBoundingRect().center())
    assert specs(window)[-1].inputs == ["dense_2", "dense_3"]  # Add takes several inputs, in order
    assert "(10,), (32,)" in designer.validation.errors["add_1"]
    designer.scene.select_names(["dense_3"])
    type_into(qtbot, inspector_editor(window, "units"), "10")
    assert designer.validation.shapes["add_1"] == (10,)
    assert {(e.source.name, e.target.name) for e in designer.scene.edges} >= {("dense_2", "add_1"),
                                                                              ("dense_3", "add_1")}


def test_a_shape_error_turns_the_node_red_and_clears_on_undo(qtbot, make_window):
    window = make_window()
    designer = window.designer
    designer.scene.select_names(["relu"])
    add_with_enter(qtbot, window, "MaxPool2D")
    pool = designer.scene.nodes["maxpool2d_1"]
    assert pool.view.error and "MaxPool2D" in pool.view.error
    assert "Error:" in pool.toolTip() and "(128,)" in pool.toolTip()
    assert not designer.graph_valid
    assert "problem" in window.validation_status.text()
    assert any("maxpool2d_1" in line for line in window.log_panel.lines())
    assert designer.scene.nodes["logits"].view.shape_text == "?"  # downstream of the error
    window.actions.undo.trigger()
    assert "maxpool2d_1" not in designer.scene.nodes
    assert designer.graph_valid
    assert not any(item.view.error for item in designer.scene.nodes.values())
    assert "Valid network" in window.validation_status.text()
    window.actions.redo.trigger()
    assert designer.scene.nodes["maxpool2d_1"].view.error


def test_graph_valid_signal_follows_the_graph(qtbot, make_window):
    window = make_window()
    seen: list[bool] = []
    window.designer.graph_valid_changed.connect(seen.append)
    window.designer.scene.select_names(["relu"])
    add_with_enter(qtbot, window, "Conv2D")
    window.actions.undo.trigger()
    assert seen == [False, True]


def test_inspector_edits_rename_and_refuses_a_taken_name(qtbot, make_window):
    window = make_window()
    window.designer.scene.select_names(["hidden"])
    inspector = window.designer.inspector
    assert inspector.name_edit.text() == "hidden"
    assert inspector.shape.text() == "(128,)"
    type_into(qtbot, inspector.name_edit, "features")
    assert [s.name for s in specs(window)] == ["input", "features", "relu", "logits"]
    assert specs(window)[2].inputs == ["features"]
    assert window.designer.scene.selected_names() == ["features"]
    type_into(qtbot, inspector.name_edit, "relu")
    assert [s.name for s in specs(window)] == ["input", "features", "relu", "logits"]
    assert any("already exists" in line for line in window.log_panel.lines())
    assert inspector.name_edit.text() == "features"


def test_training_settings_are_generated_forms_and_undoable(qtbot, make_window):
    window = make_window()
    training = window.designer.training
    optimizer = training.components["optimizer"]
    assert optimizer.type_name == "adam"
    type_into(qtbot, optimizer.form.editors["learning_rate"], "0.05")
    assert window.document.data["training"]["optimizer"]["config"]["learning_rate"] == 0.05
    optimizer.chooser.setFocus()
    qtbot.keyClicks(optimizer.chooser, "sgd")
    assert window.document.data["training"]["optimizer"] == {"type": "sgd", "config": {}}
    assert "momentum" in optimizer.form.editors
    type_into(qtbot, training.loop.editors["epochs"], "3")
    assert window.document.data["training"]["epochs"] == 3
    window.actions.undo.trigger()
    window.actions.undo.trigger()
    assert window.document.data["training"]["optimizer"]["type"] == "adam"
    assert optimizer.type_name == "adam" and "momentum" not in optimizer.form.editors


def test_delete_duplicate_and_select_all(qtbot, make_window):
    window = make_window()
    scene = window.designer.scene
    scene.select_names(["hidden"])
    window.actions.duplicate.trigger()
    assert scene.selected_names() == ["dense_1"]
    assert specs(window)[-1] == NodeSpec("dense_1", "Dense", {"units": 128}, ["input"])
    window.actions.select_all.trigger()
    assert len(scene.selected_names()) == 5
    scene.select_names(["relu"])
    window.actions.delete.trigger()
    assert "relu" not in scene.nodes
    assert specs(window)[2].inputs == []  # logits lost its input
    assert "connect an input" in window.designer.validation.errors["logits"]
    edge = next(e for e in scene.edges if e.target.name == "hidden")
    scene.clearSelection()
    edge.setSelected(True)
    window.actions.delete.trigger()
    assert specs(window)[1].inputs == []


def test_move_by_mouse_then_auto_layout_then_undo(qtbot, make_window):
    window = make_window()
    scene = window.designer.scene
    item = scene.nodes["relu"]
    start = item.pos()
    grip = item.mapToScene(QPointF(40, 30))  # on the card, away from its ports
    drag(qtbot, window, grip, grip + QPointF(300, 20))
    moved = window.document.data["model"]["nodes"][2]["position"]
    assert moved["x"] > start.x() + 200
    assert window.document.undo_stack.undoText().startswith("Move relu")
    window.actions.auto_layout.trigger()
    assert scene.nodes["relu"].pos().x() == scene.nodes["hidden"].pos().x()
    window.actions.undo.trigger()
    assert scene.nodes["relu"].pos().x() > start.x() + 200


def test_drop_from_the_palette_appends_after_the_selected_node(make_window):
    window = make_window()
    designer = window.designer
    designer.scene.select_names(["logits"])
    data = designer.palette.tree.mimeData([palette_item(window, "Softmax")])
    assert bytes(data.data(LAYER_MIME)) == b"Softmax"
    drop(window, data, QPointF(0, 900))
    assert specs(window)[-1] == NodeSpec("softmax_1", "Softmax", {}, ["logits"])
    item = designer.scene.nodes["softmax_1"]
    assert item.sceneBoundingRect().contains(QPointF(0, 900))
    designer.scene.clearSelection()
    drop(window, data, QPointF(600, 0))
    assert specs(window)[-1] == NodeSpec("softmax_2", "Softmax", {}, [])
    unrelated = QMimeData()
    unrelated.setText("Softmax")
    drop(window, unrelated, QPointF(0, 1200))
    assert len(specs(window)) == 6


def test_zoom_and_pan(qtbot, make_window):
    window = make_window()
    view = window.designer.view
    before = view.zoom_level()
    window.actions.zoom_in.trigger()
    assert view.zoom_level() > before
    for _ in range(30):
        window.actions.zoom_in.trigger()
    assert view.zoom_level() <= 3.0
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().minimum())
    x = view.horizontalScrollBar().value()
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.MiddleButton, pos=QPoint(300, 200))
    qtbot.mouseMove(viewport, QPoint(200, 200))
    qtbot.mouseRelease(viewport, Qt.MouseButton.MiddleButton, pos=QPoint(200, 200))
    assert view.horizontalScrollBar().value() == x + 100
    window.actions.fit.trigger()
    assert view.zoom_level() <= 1.0


def test_save_reopen_gives_the_same_graph(qtbot, make_window, tmp_path):
    window = make_window()
    build_digits_mlp(qtbot, window)
    target = tmp_path / "mine"
    assert window.save_as(target)
    saved = tmp_path / "mine.bps.json"
    assert saved.is_file()
    assert not window.isWindowModified()
    assert window.windowTitle().startswith("mine.bps.json")
    assert window.recent.paths() == [saved.resolve()]
    window.new_project()
    assert specs(window) == []
    assert window.open_project(saved)
    assert specs(window) == DIGITS_MLP
    assert not window.document.undo_stack.canUndo()
    reopened = make_window(load_project(saved))
    assert specs(reopened) == DIGITS_MLP
    positions = [n["position"] for n in reopened.document.data["model"]["nodes"]]
    assert positions == [n["position"] for n in window.document.data["model"]["nodes"]]


def test_saving_a_shipped_example_asks_for_a_new_file(make_window, monkeypatch, tmp_path):
    example = example_path("digits_mlp")
    original = example.read_bytes()
    window = make_window()
    window.designer.scene.select_names(["relu"])
    window.actions.delete.trigger()
    asked: list[str] = []

    def ask(_parent, title, *_args):
        asked.append(title)
        return str(tmp_path / "my_digits.bps.json"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    window.actions.save.trigger()
    assert asked == ["Save project"]
    assert example.read_bytes() == original
    assert window.document.path == (tmp_path / "my_digits.bps.json").resolve()
    assert len(load_project(tmp_path / "my_digits.bps.json").nodes) == 3
    window.actions.save.trigger()  # now an ordinary file: saved in place, no question
    assert asked == ["Save project"]


def test_open_recent_menu_lists_saved_projects(qtbot, make_window, tmp_path):
    window = make_window()
    window.save_as(tmp_path / "a.bps.json")
    window.save_as(tmp_path / "b.bps.json")
    window.recent_menu.aboutToShow.emit()
    entries = [a.text() for a in window.recent_menu.actions()]
    assert entries == ["b.bps.json", "a.bps.json"]
    window.recent_menu.actions()[1].trigger()
    assert window.document.path == (tmp_path / "a.bps.json").resolve()


def test_file_examples_lists_every_shipped_example_and_opens_it(qtbot, make_window):
    window = make_window()
    (examples,) = [a.menu() for a in window.menus["file"].actions() if a.text() == "E&xamples"]
    shipped = sorted(path.name.removesuffix(".bps.json") for path in EXAMPLES_DIR.glob("*.bps.json"))
    assert sorted(EXAMPLES) == shipped
    titles = {load_project(example_path(name)).name: name for name in EXAMPLES}
    assert [a.text() for a in examples.actions()] == list(titles)
    spiral = next(a for a in examples.actions() if titles[a.text()] == "spiral_mlp")
    assert spiral.statusTip() == load_project(example_path("spiral_mlp")).description
    spiral.trigger()
    assert window.document.path == example_path("spiral_mlp").resolve()
    assert window.document.data["name"] == "Spiral MLP"


def test_unreadable_project_and_failed_save_are_reported_not_raised(make_window, dialogs, tmp_path):
    window = make_window()
    broken = tmp_path / "broken.bps.json"
    broken.write_text("{ not json", encoding="utf-8")
    assert not window.open_project(broken)
    assert any("not valid JSON" in text and "broken.bps.json" in text for text in dialogs.texts("warning"))
    assert window.document.path == example_path("digits_mlp").resolve()
    window.new_project()
    assert not window.save_as(tmp_path / "empty.bps.json")  # a project needs at least one node
    assert dialogs.texts("warning")[-1].startswith(str(tmp_path / "empty.bps.json"))
    assert not (tmp_path / "empty.bps.json").exists()


def test_closing_with_unsaved_changes_asks(qtbot, make_window, dialogs):
    window = make_window()
    window.designer.scene.select_names(["relu"])
    window.actions.delete.trigger()
    assert window.isWindowModified()
    dialogs.answer = QMessageBox.StandardButton.Cancel
    assert not window.close()
    assert window.isVisible()
    assert "Save the changes to digits_mlp.bps.json?" in dialogs.texts("question")
    dialogs.answer = QMessageBox.StandardButton.Discard
    assert window.close()


def test_new_project_asks_and_cancel_keeps_the_work(make_window, dialogs):
    window = make_window()
    window.designer.scene.select_names(["relu"])
    window.actions.delete.trigger()
    dialogs.answer = QMessageBox.StandardButton.Cancel
    window.new_project()
    assert len(specs(window)) == 3
    dialogs.answer = QMessageBox.StandardButton.Discard
    window.new_project()
    assert specs(window) == [] and not window.isWindowModified()
    assert "Empty network" in window.validation_status.text()


def test_layout_is_remembered_between_runs(make_window, settings):
    window = make_window()
    window.docks["log"].hide()
    window.resize(761, 555)  # within the offscreen screen, which bounds restored geometry
    assert window.close()
    assert settings.value("window/state") is not None
    again = make_window()
    assert (again.width(), again.height()) == (761, 555)
    assert not again.docks["log"].isVisible()
    assert again.docks["summary"].isVisible()


def test_a_panel_added_later_gets_its_saved_place_back(make_window):
    window = make_window()
    window.add_dock("plots", "Plots", QLabel("plots"), Qt.DockWidgetArea.BottomDockWidgetArea)
    window.removeDockWidget(window.docks["plots"])
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, window.docks["plots"])
    window.docks["plots"].show()
    assert window.close()
    again = make_window()
    dock = again.add_dock("plots", "Plots", QLabel("plots"), Qt.DockWidgetArea.BottomDockWidgetArea)
    assert again.dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea
