"""WindowParts: what a part of the window is given to add its docks, menus, toolbars and status widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

Area = Qt.DockWidgetArea


def test_a_new_part_adds_a_dock_tabbed_with_another_and_listed_by_name(make_window, qtbot):
    window = make_window()
    dock = window.parts.add_dock("runs", "Runs", QLabel("runs"), Area.RightDockWidgetArea, tab_with="dataset")
    assert window.docks["runs"] is dock and dock.objectName() == "dock_runs"
    assert window.dockWidgetArea(dock) == Area.RightDockWidgetArea
    qtbot.waitUntil(lambda: dock in window.tabifiedDockWidgets(window.docks["dataset"]))  # laid out later


def test_a_new_menu_goes_before_help_and_is_listed_by_name(make_window):
    window = make_window()
    menu = window.parts.add_menu("probe", "&Probe")
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles.index("&Probe") == titles.index("&Help") - 1
    assert window.menus["probe"] is menu and menu.objectName() == "probe_menu"


def test_the_training_part_is_placed_through_the_parts(make_window, qtbot):
    window = make_window()
    assert window.menus["training"] is window.training.menu
    assert window.docks["training"] is window.training.dock
    qtbot.waitUntil(lambda: window.training.dock in window.tabifiedDockWidgets(window.docks["log"]))
    assert window.findChild(type(window.training.toolbar), "toolbar_training") is window.training.toolbar


def test_a_status_widget_and_a_banner(make_window):
    window = make_window()
    label = QLabel("health")
    window.parts.add_status_widget(label)
    assert label.parent() is not None and label.isVisible()
    banner = window.parts.add_banner("hint", "Hint", QLabel("hint"))
    assert window.dockWidgetArea(banner) == Area.TopDockWidgetArea and not banner.isVisible()


def test_a_new_window_shows_the_model_summary_in_front_of_the_bottom_panels(make_window, qtbot):
    """Not the empty training plots (the parts tab their docks over it); Train brings those forward."""
    window = make_window()
    qtbot.waitUntil(lambda: on_show(window.docks["summary"]))
    assert [name for name in ("log", "training", "runs", "probe_lab") if on_show(window.docks[name])] == []


def on_show(dock) -> bool:
    """Whether a dock's panel is on screen (a dock tabbed behind another is moved off it, still "visible")."""
    return not dock.visibleRegion().isEmpty()
