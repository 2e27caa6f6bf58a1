"""The menu bar as a user reads it: the Training menu in groups (run control, diagnosis, live
settings, results), every panel's show/hide toggle in View > Panels, and no two entries sharing a
shortcut, a mnemonic or a blank status tip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from desktop_app.project import example_path

TRAINING_GROUPS = [
    ["&Train", "&Pause", "&Stop", "&Reset Weights"],
    ["&Check…", "Check &Gradients", "Step T&hrough…", "Probe &Lab"],
    ["Live Setti&ngs…"],
    ["Save Trained &Weights…", "Pre&dict on Samples", "&Export", "Export Pl&ots as PNG…",
     "Export Plot D&ata as CSV…"],
]
# The keys the window had before the menus were regrouped, and the entry each must still run.
SHORTCUTS = {"F5": "&Train", "F6": "&Pause", "Shift+F5": "&Stop", "Ctrl+Shift+L": "Probe &Lab",
             "Ctrl+L": "&Auto-layout", "Ctrl+S": "&Save", "Ctrl+D": "Du&plicate"}


def groups(menu: QMenu) -> list[list[str]]:
    """The menu's entries as shown: runs of entries between separators, empty runs left out."""
    found: list[list[str]] = [[]]
    for action in menu.actions():
        if action.isSeparator():
            found.append([])
        else:
            found[-1].append(action.text())
    return [group for group in found if group]


def menu_entries(menu: QMenu) -> list[tuple[QMenu, QAction]]:
    """Every entry of ``menu`` and of its submenus, with the menu it is in."""
    entries = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        entries.append((menu, action))
        if action.menu() is not None:
            entries += menu_entries(action.menu())
    return entries


def menu_bar_entries(window) -> list[tuple[QMenu, QAction]]:
    window.recent_menu.aboutToShow.emit()  # filled when opened
    return [entry for top in window.menuBar().actions() for entry in menu_entries(top.menu())]


def test_the_training_menu_runs_then_diagnoses_then_live_settings_then_results(make_window):
    window = make_window()
    assert groups(window.menus["training"]) == TRAINING_GROUPS


def test_every_panel_can_be_shown_or_hidden_from_view_panels_and_only_there(make_window):
    window = make_window()
    panels = window.parts.panels_menu
    assert panels.menuAction() in window.menus["view"].actions()
    assert panels.actions() == [dock.toggleViewAction() for dock in window.docks.values()]
    assert {"Training", "Runs", "Probe Lab"} <= {action.text() for action in panels.actions()}
    elsewhere = [action.text() for menu, action in menu_bar_entries(window)
                 if menu is not panels and action in panels.actions()]
    assert elsewhere == []


def test_no_two_entries_of_the_menu_bar_share_a_shortcut_and_the_old_keys_still_work(make_window):
    window = make_window()
    owners: dict[str, str] = {}
    for _menu, action in menu_bar_entries(window):
        for key in action.shortcuts():
            text = key.toString()
            assert owners.get(text, action.text()) == action.text(), (text, owners[text], action.text())
            owners[text] = action.text()
    for key, text in SHORTCUTS.items():
        assert owners.get(QKeySequence(key).toString()) == text, key


def test_no_two_entries_of_a_menu_share_a_mnemonic(make_window):
    window = make_window()
    menus = [window.menuBar()] + [menu for menu, _ in menu_bar_entries(window)]
    for menu in dict.fromkeys(menus):
        letters = [letter for action in menu.actions() if (letter := _mnemonic(action.text()))]
        assert len(letters) == len(set(letters)), (menu.title(), letters)


def test_every_menu_entry_has_a_text_and_says_what_it_does_in_the_status_bar(make_window):
    window = make_window()
    window.recent.add(example_path("xor_mlp"))  # a recent file's entry says where the file is
    for menu, action in menu_bar_entries(window):
        if action.menu() is not None:
            continue  # a submenu says what it holds by its entries
        assert action.text().strip(), menu.title()
        assert action.statusTip().strip(), (menu.title(), action.text())


def test_the_probe_lab_key_still_brings_the_lab_forward(make_window, qtbot):
    window = make_window()
    qtbot.waitActive(window)
    assert not window.probe_lab.on_show  # tabbed behind the training plots
    qtbot.keyClick(window.designer.view, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.probe_lab.on_show)


def _mnemonic(text: str) -> str:
    """The letter after a single ``&`` (``&&`` is a literal ampersand), lower-cased, or ''."""
    index = text.replace("&&", "").find("&")
    return text.replace("&&", "")[index + 1].lower() if 0 <= index < len(text) - 1 else ""
