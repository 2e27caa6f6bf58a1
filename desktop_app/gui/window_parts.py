"""Where a part of the window puts what it adds: docks, menus, toolbars, status-bar widgets, banners.

The main window makes one ``WindowParts`` and hands it, with the named collaborators a part needs
(the document, the designer, the log...), to each part it installs: the training part, the plugin
notice, the weights status. A part never holds the window itself, so it cannot reach into it and
the window's module imports the parts, never the other way round.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QStatusBar, QToolBar, QWidget

from .menu_groups import MenuGroups
from .window_sizes import bottom_height

Area = Qt.DockWidgetArea


class WindowParts:
    """The window's docks and menus by name, and the calls that add more."""

    def __init__(self, window: QMainWindow) -> None:
        self._window = window
        self.docks: dict[str, QDockWidget] = {}
        self.menus: dict[str, QMenu] = {}
        self._groups: dict[str, MenuGroups] = {}
        self.panels_menu = QMenu("&Panels", window)  # View > Panels: every dock's show/hide toggle
        self.panels_menu.setObjectName("panels_menu")
        self.layout_restored = False

    @property
    def widget(self) -> QWidget:
        """The window as a plain widget: the parent of a part's actions and message boxes."""
        return self._window

    def add_dock(self, name: str, title: str, widget: QWidget, area: Area,
                 tab_with: str | None = None) -> QDockWidget:
        """A dockable panel, listed as ``docks[name]`` and in View > Panels; its object name keeps
        its place between runs.

        A panel added after the window restored its layout gets its saved place back too; the first
        time, it goes to ``area``, tabbed behind the dock ``tab_with`` when given.
        """
        window = self._window
        dock = QDockWidget(title, window)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        if not (self.layout_restored and window.restoreDockWidget(dock)):
            window.addDockWidget(area, dock)
            if tab_with is not None:
                window.tabifyDockWidget(self.docks[tab_with], dock)
        self.docks[name] = dock
        toggle = dock.toggleViewAction()
        toggle.setStatusTip(f"Show or hide the {title} panel")
        self.panels_menu.addAction(toggle)
        return dock

    def add_banner(self, name: str, title: str, widget: QWidget) -> QDockWidget:
        """A strip across the top of the window, without a title bar, hidden until shown."""
        dock = QDockWidget(title, self._window)
        dock.setObjectName(f"dock_{name}")
        dock.setTitleBarWidget(QWidget(dock))
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        dock.setWidget(widget)
        self._window.addDockWidget(Area.TopDockWidgetArea, dock)
        dock.hide()
        return dock

    def add_menu(self, name: str, title: str, before: str = "help", groups: Sequence[str] = ()) -> QMenu:
        """A menu in the menu bar, listed as ``menus[name]``, placed before the menu ``before``;
        ``groups`` are the named groups ``add_to_menu`` fills."""
        menu = QMenu(title, self._window)
        menu.setObjectName(f"{name}_menu")
        self._window.menuBar().insertMenu(self.menus[before].menuAction(), menu)
        self.menus[name] = menu
        self._groups[name] = MenuGroups(menu, groups)
        return menu

    def add_to_menu(self, name: str, group: str, *entries: QAction | QMenu) -> None:
        """Actions or submenus at the end of ``group`` of the menu ``name``, whichever part adds
        them first."""
        self._groups[name].add(group, *entries)

    def add_toolbar(self, name: str, title: str) -> QToolBar:
        toolbar = QToolBar(title, self._window)
        toolbar.setObjectName(f"toolbar_{name}")
        self._window.addToolBar(toolbar)
        return toolbar

    def add_status_widget(self, widget: QWidget) -> None:
        """A permanent widget at the right of the status bar."""
        self._window.statusBar().addPermanentWidget(widget)

    def status_bar(self) -> QStatusBar:
        return self._window.statusBar()

    def grow_bottom_dock(self, dock: QDockWidget) -> bool:
        """Give a bottom dock the height the window's layout gives its bottom panels, if it has
        less; True when it grew."""
        room = bottom_height(self._window.height())
        if dock.height() >= room:
            return False
        self._window.resizeDocks([dock], [room], Qt.Orientation.Vertical)
        return True
