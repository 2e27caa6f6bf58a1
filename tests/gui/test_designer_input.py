"""Input that does what the user meant: the wheel over a form, the edit keys on the canvas, Enter in
the palette's search, a cycle on the canvas, the fields' tooltips. Driven through the real widgets."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QKeySequence, QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea

from desktop_app.engine.graph import NodeSpec

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


def specs(window) -> list[NodeSpec]:
    return window.document.project().node_specs()


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
