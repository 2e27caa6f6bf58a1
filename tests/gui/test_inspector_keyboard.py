"""Editing a node from the keyboard: a new name, Tab, the next field, as in any form. Renaming
rebuilt the whole form, so the field Tab had moved to was deleted under the user and what they
typed next went to the canvas (Ctrl+A selected every node)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.window_input import specs


def test_tab_after_a_new_name_reaches_the_next_field_and_it_takes_typing(qtbot, make_window):
    window = make_window()
    window.activateWindow()
    window.designer.scene.select_names(["hidden"])
    inspector = window.designer.inspector
    form = inspector.form
    qtbot.waitUntil(form.editors["units"].isVisible)  # a new form shows once the event loop runs
    inspector.name_edit.setFocus()
    inspector.name_edit.selectAll()
    qtbot.keyClicks(inspector.name_edit, "features")
    qtbot.keyClick(inspector.name_edit, Qt.Key.Key_Tab)
    assert [s.name for s in specs(window)] == ["input", "features", "relu", "logits"]
    assert inspector.form is form  # the same node, renamed: its form and the focus in it stay
    units = form.editors["units"]
    focused = QApplication.focusWidget()
    assert focused is units or units.isAncestorOf(focused)
    qtbot.keyClick(focused, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(focused, "64")
    qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert window.designer.scene.selected_names() == ["features"]
    assert specs(window)[1].config["units"] == 64


def test_choosing_another_node_of_the_same_type_still_gets_its_own_form(qtbot, make_window):
    window = make_window()
    window.designer.scene.select_names(["hidden"])
    inspector = window.designer.inspector
    first = inspector.form
    window.designer.scene.select_names(["logits"])
    assert inspector.form is not first
    assert inspector.form.editors["units"].value() == 10
