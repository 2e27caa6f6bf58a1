"""Input that does what the user meant: the wheel over a form, the edit keys on the canvas, Enter in
the palette's search, a cycle on the canvas, the fields' tooltips. Driven through the real widgets."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QKeySequence, QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea

from desktop_app.engine.graph import NodeSpec
from desktop_app.gui.canvas import style
from desktop_app.gui.forms.editors import describe
from tests.gui.window_input import specs

# what Qt's X11 platform theme binds (read under xcb): Linux desktops add Ctrl+D to Delete
X11_DELETE_KEYS = ("Del", "Ctrl+D")


def wheel_down(widget) -> None:
    """One notch of a real mouse wheel over the middle of ``widget``."""
    center = QPointF(widget.rect().center())
    event = QWheelEvent(center, QPointF(widget.mapToGlobal(center)), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def training_tab(window) -> QScrollArea:
    """Show the Training inspector in a window short enough for it to scroll."""
    window.resize(1000, 520)
    window.inspector_tabs.setCurrentIndex(1)
    area = window.inspector_tabs.currentWidget()
    assert area.verticalScrollBar().maximum() > 0, "the panel must scroll for this test"
    return area


def linux_key_bindings(monkeypatch) -> None:
    qt_bindings = QKeySequence.keyBindings

    def bindings(key):
        if key == QKeySequence.StandardKey.Delete:
            return [QKeySequence(text) for text in X11_DELETE_KEYS]
        return qt_bindings(key)

    monkeypatch.setattr(QKeySequence, "keyBindings", staticmethod(bindings))


# --- the wheel ---------------------------------------------------------------------------------------
def test_the_wheel_over_an_unfocused_combo_scrolls_the_panel_and_keeps_the_optimizer(qtbot, make_window):
    window = make_window()
    area = training_tab(window)
    chooser = window.designer.training.components["optimizer"].chooser
    window.designer.view.setFocus()
    wheel_down(chooser)
    assert chooser.currentText() == "adam"
    assert window.document.data["training"]["optimizer"]["type"] == "adam"
    assert not window.document.dirty
    assert area.verticalScrollBar().value() > 0


def test_the_wheel_over_an_unfocused_spin_box_scrolls_and_a_focused_one_steps(qtbot, make_window):
    window = make_window()
    area = training_tab(window)
    epochs = window.designer.training.loop.editors["epochs"]
    before = window.document.data["training"]["epochs"]
    window.designer.view.setFocus()
    wheel_down(epochs)
    assert epochs.value() == before and window.document.data["training"]["epochs"] == before
    assert area.verticalScrollBar().value() > 0
    epochs.setFocus()
    wheel_down(epochs)
    assert window.document.data["training"]["epochs"] == before - 1


# --- the edit keys ------------------------------------------------------------------------------------
def test_ctrl_d_duplicates_the_selected_node_with_linux_key_bindings(qtbot, make_window, monkeypatch):
    linux_key_bindings(monkeypatch)
    window = make_window()
    window.activateWindow()
    qtbot.waitActive(window)
    scene, view = window.designer.scene, window.designer.view
    scene.select_names(["hidden"])
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert "hidden" in scene.nodes
    assert specs(window)[-1] == NodeSpec("dense_1", "Dense", {"units": 128}, ["input"])
    assert scene.selected_names() == ["dense_1"]
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert "dense_1" not in scene.nodes


def test_no_two_actions_of_the_window_share_a_key(make_window, monkeypatch):
    linux_key_bindings(monkeypatch)
    window = make_window()
    owners: dict[str, str] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            text = key.toString()
            assert text not in owners, f"{text} is bound to {owners[text]!r} and {action.text()!r}"
            owners[text] = action.text()
    assert window.actions.delete.shortcuts() == [QKeySequence("Del"), QKeySequence("Backspace")]


# --- the palette's search --------------------------------------------------------------------------
def search_and_enter(qtbot, window, text: str) -> None:
    search = window.designer.palette.search
    search.setFocus()
    qtbot.keyClicks(search, text)
    qtbot.keyClick(search, Qt.Key.Key_Return)


def visible_scene_rect(window):
    view = window.designer.view
    return view.mapToScene(view.viewport().rect()).boundingRect()


def test_search_and_enter_adds_the_named_layer_in_view_after_the_selection(qtbot, make_window):
    window = make_window()
    designer = window.designer
    before = specs(window)
    designer.view.zoom_by(2.0)
    designer.view.centerOn(designer.scene.nodes["input"])
    designer.scene.select_names(["logits"])
    search_and_enter(qtbot, window, "tanh")  # GELU's description mentions tanh; Tanh is the name
    assert specs(window)[-1] == NodeSpec("tanh_1", "Tanh", {}, ["logits"])
    assert designer.scene.selected_names() == ["tanh_1"]
    assert visible_scene_rect(window).contains(designer.scene.nodes["tanh_1"].sceneBoundingRect())
    window.actions.undo.trigger()
    assert specs(window) == before


def test_a_name_prefix_beats_a_description_match_and_is_highlighted_while_typing(qtbot, make_window):
    window = make_window()
    palette = window.designer.palette
    qtbot.keyClicks(palette.search, "conv")
    assert palette.best_match() == "Conv2D"
    assert palette.tree.currentItem().text(0) == "Conv2D"
    palette.search.clear()
    qtbot.keyClicks(palette.search, "dense")
    assert palette.best_match() == "Dense"


def test_searching_the_loss_points_to_the_training_settings(qtbot, make_window):
    window = make_window()
    palette = window.designer.palette
    window.docks["dataset"].raise_()  # the Inspector is behind the Dataset tab
    assert window.docks["inspector"].visibleRegion().isEmpty()
    search_and_enter(qtbot, window, "loss")
    assert palette.type_names(visible_only=True) == []
    assert palette.hint.isVisible() and "Training tab" in palette.hint.text()
    assert len(specs(window)) == 4
    assert window.inspector_tabs.currentWidget() is window.training_tab
    assert not window.docks["inspector"].visibleRegion().isEmpty()
    assert QApplication.focusWidget() is window.designer.training.chooser("loss")
    palette.search.clear()
    qtbot.keyClicks(palette.search, "<b>zzz")
    assert palette.hint.text() == "No layer matches “&lt;b&gt;zzz”."
    palette.search.clear()
    qtbot.keyClicks(palette.search, "adam")
    assert "the optimizer is set in the Training tab" in palette.hint.text()


# --- a cycle ------------------------------------------------------------------------------------------
def near(color, target, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in
               zip(color.getRgb()[:3], target.getRgb()[:3], strict=True))


def drawn_near(window, scene_point: QPointF, target) -> bool:
    """Is a pixel of ``target``'s colour on screen within two pixels of ``scene_point``?"""
    view = window.designer.view
    image = view.viewport().grab().toImage()
    at = view.mapFromScene(scene_point)
    return any(near(image.pixelColor(at.x() + dx, at.y() + dy), target)
               for dx in range(-2, 3) for dy in range(-2, 3))


def test_a_cycles_back_edge_is_drawn_above_the_nodes_in_the_error_colour(qtbot, make_window):
    window = make_window()
    scene = window.designer.scene
    assert not any(edge.in_cycle for edge in scene.edges)
    window.designer.connect_nodes("logits", "hidden")  # hidden -> relu -> logits -> hidden
    assert "cycle" in window.designer.validation.errors["hidden"]
    window.designer.view.fit_all()
    back = next(e for e in scene.edges if (e.source.name, e.target.name) == ("logits", "hidden"))
    assert all(e.in_cycle for e in scene.edges)
    assert back.zValue() > max(node.zValue() for node in scene.nodes.values())
    cards = [node.sceneBoundingRect() for node in scene.nodes.values()]
    along = [back.path().pointAtPercent(step / 20) for step in range(2, 19)]
    assert not any(card.contains(point) for card in cards for point in along)
    assert drawn_near(window, back.path().pointAtPercent(0.3), style.ERROR_BORDER)
    window.actions.undo.trigger()
    assert not any(edge.in_cycle for edge in scene.edges)
    assert all(edge.zValue() < 0 for edge in scene.edges)


# --- tooltips -----------------------------------------------------------------------------------------
def test_field_tooltips_say_what_the_value_does_and_what_may_be_entered(qtbot, make_window):
    window = make_window()
    window.designer.scene.select_names(["hidden"])
    units = window.designer.inspector.form.editors["units"]
    assert units.toolTip() == "Number of output features.\nA whole number, 1 or more."
    optimizer = window.designer.training.components["optimizer"].form.editors
    assert optimizer["learning_rate"].toolTip().startswith("How far each update moves the weights")
    assert optimizer["beta_1"].toolTip().endswith("A number from 0 to 0.9999.")
    registry = window.registry
    for kind in ("layers", "losses", "optimizers", "schedules", "datasets"):
        for cls in registry.table(kind).values():
            for spec in cls.schema:
                tip = describe(spec)
                assert tip.endswith((".", "?")), f"{cls.__name__}.{spec.name}: {tip!r}"
                assert ".." not in tip and "inf" not in tip.split(), f"{cls.__name__}.{spec.name}: {tip!r}"
