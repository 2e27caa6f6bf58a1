"""The main window: the canvas in the middle, dockable panels around it, menus, toolbar, status.

Design work lives in ``Designer``; this class adds what belongs to the window: files (new, open,
save, recent), the layout remembered between runs, the title's unsaved-changes marker, and the
question before closing unsaved work.

The parts that add to the window (training, the plugin notice, the weights status, and the next
ones) are built here, each given ``self.parts`` (``WindowParts``: add a dock, menu, toolbar,
status widget) and the named collaborators it uses; none is given the window, and none imports
this module. See "Adding a part to the window" in docs/gui.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QToolBar,
    QWidget,
)

from .. import __version__
from ..plugin_system import PluginInfo, current_host
from ..project.document import Project
from ..project.errors import ProjectError
from ..project.examples import EXAMPLES, example_path
from ..project.files import PROJECT_SUFFIX, load_project, save_project
from ..project.requirements import missing_types, record_plugins
from ..registry import Registry
from . import graph_edits
from .designer import Designer
from .dialog_folders import is_shipped_example, offered_folder
from .document import ProjectDocument, blank_project
from .edit_lock import EditLock
from .experiments.ui import RunsUI
from .exporting import ExportMenu
from .log_panel import LogPanel
from .plugin_notice import install_plugin_notice
from .plugins_dialog import PluginsDialog
from .probe_lab import install_probe_lab
from .project_weights import ProjectWeights
from .recent_files import RecentFiles
from .registry_refresh import apply_registry
from .status_messages import show_status
from .step_through import StepThrough
from .training.ui import TrainingUI
from .unsaved_work import confirm_drop
from .window_actions import WindowActions
from .window_parts import WindowParts
from .window_sizes import bottom_height, first_size, side_widths

APP_TITLE = "Backprop Studio"
STATUS_CHARS = 140
PROJECT_FILTER = f"Backprop Studio projects (*{PROJECT_SUFFIX});;All files (*)"
Area = Qt.DockWidgetArea


class MainWindow(QMainWindow):
    """One open project. ``settings`` keeps the layout and recent files (tests pass a temp one)."""

    def __init__(
        self,
        project: Project,
        settings: QSettings,
        registry: Registry,
        plugin_infos: Callable[[], Sequence[PluginInfo]] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.settings = settings
        self.registry = registry
        self._plugin_infos = plugin_infos or (lambda: list(current_host().plugins.values()))
        self.recent = RecentFiles(settings)
        self.document = ProjectDocument(_laid_out(project), self)
        self.log_panel = LogPanel()
        self.designer = Designer(self.document, registry, self.log_panel, self)
        self.setCentralWidget(self.designer.view)
        self.parts = WindowParts(self)
        self._build_docks()
        self.actions = WindowActions(self, self.document.undo_stack)
        self.export_menu = ExportMenu(self.document, registry, self.log_panel, self)
        self._build_menus()
        self._build_toolbar()
        self._install_parts()
        self.validation_status = QLabel(self)
        self.validation_status.setObjectName("validation_status")
        self.statusBar().addPermanentWidget(self.validation_status)
        self._connect()
        self._restore_layout()
        self.designer.refresh()
        self._update_title()
        self.designer.view.fit_all()

    # --- building ----------------------------------------------------------------------------------
    @property
    def docks(self) -> dict[str, QDockWidget]:
        return self.parts.docks

    @property
    def menus(self) -> dict[str, QMenu]:
        return self.parts.menus

    def add_dock(self, name: str, title: str, widget: QWidget, area: Area) -> QDockWidget:
        """A dockable panel whose place is kept between runs (``WindowParts.add_dock``)."""
        return self.parts.add_dock(name, title, widget, area)

    def _build_docks(self) -> None:
        designer, parts = self.designer, self.parts
        parts.add_dock("palette", "Layers", designer.palette, Area.LeftDockWidgetArea)
        self.inspector_tabs = QTabWidget(self)
        self.inspector_tabs.addTab(_scrolling(designer.inspector), "Layer")
        self.training_tab = _scrolling(designer.training)
        self.inspector_tabs.addTab(self.training_tab, "Training")
        parts.add_dock("inspector", "Inspector", self.inspector_tabs, Area.RightDockWidgetArea)
        parts.add_dock("dataset", "Dataset", _scrolling(designer.dataset), Area.RightDockWidgetArea,
                       tab_with="inspector")
        self.docks["inspector"].raise_()
        parts.add_dock("summary", "Model summary", designer.summary, Area.BottomDockWidgetArea)
        parts.add_dock("log", "Log", self.log_panel, Area.BottomDockWidgetArea, tab_with="summary")
        self.docks["summary"].raise_()

    def _install_parts(self) -> None:
        """The parts that add their own docks, menus and status widgets (one line each)."""
        parts, document, designer, registry, log = (self.parts, self.document, self.designer,
                                                    self.registry, self.log_panel)
        self.training = TrainingUI(parts, document, registry, designer, designer.dataset, log,
                                   self.export_menu, self._edit_lock())
        self.plugin_notice = install_plugin_notice(parts, designer, document, registry, self.show_plugins)
        self.project_weights = ProjectWeights(parts, self.training.controller, document, designer.dataset,
                                              registry, log)
        self.step_through = StepThrough(parts, self.training.controller, designer.scene)
        self.runs = RunsUI(parts, document, registry, self.training.controller, designer.dataset, log)
        self.probe_lab = install_probe_lab(parts, self.training.controller, document, registry, designer, log,
                                           self.project_weights.update_status)
        self.docks["summary"].raise_()  # not the empty plots the parts tabbed over it; Train raises those

    def _edit_lock(self) -> EditLock:
        """What a run locks: the panels that edit the project, the actions that change or replace it."""
        designer, a = self.designer, self.actions
        panels = [designer.palette, designer.inspector, designer.training, designer.dataset]
        actions = [a.new, a.open, self.recent_menu.menuAction(), self.examples_menu.menuAction(),
                   a.delete, a.duplicate, a.auto_layout]
        return EditLock(designer, designer.view, panels, actions, self.document.undo_stack, a.undo, a.redo)

    def _build_menus(self) -> None:
        a = self.actions
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([a.new, a.open])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recent_menu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.examples_menu = file_menu.addMenu("E&xamples")
        self.examples_menu.setObjectName("examples_menu")
        self._fill_examples_menu()
        file_menu.addSeparator()
        file_menu.addActions([a.save, a.save_as])
        file_menu.addMenu(self.export_menu)
        file_menu.addSeparator()
        file_menu.addAction(a.quit)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addActions([a.undo, a.redo])
        edit_menu.addSeparator()
        edit_menu.addActions([a.delete, a.duplicate, a.select_all])
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addActions([a.auto_layout, a.zoom_in, a.zoom_out, a.fit])
        view_menu.addSeparator()
        view_menu.addMenu(self.parts.panels_menu)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addActions([a.plugins, a.about])
        self.menus.update(file=file_menu, edit=edit_menu, view=view_menu, help=help_menu)

    def _build_toolbar(self) -> None:
        a = self.actions
        self.toolbar = QToolBar("Main", self)
        self.toolbar.setObjectName("toolbar_main")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.toolbar.addActions([a.new, a.open, a.save])
        self.toolbar.addSeparator()
        self.toolbar.addActions([a.undo, a.redo, a.delete, a.duplicate])
        self.toolbar.addSeparator()
        self.toolbar.addActions([a.auto_layout, a.zoom_out, a.zoom_in, a.fit])
        self.addToolBar(self.toolbar)

    def _connect(self) -> None:
        a, designer = self.actions, self.designer
        a.new.triggered.connect(self.new_project)
        a.open.triggered.connect(lambda: self.open_project())
        a.save.triggered.connect(self.save)
        a.save_as.triggered.connect(lambda: self.save_as())
        a.quit.triggered.connect(self.close)
        a.delete.triggered.connect(designer.delete_selection)
        a.duplicate.triggered.connect(designer.duplicate_selection)
        a.select_all.triggered.connect(lambda: designer.scene.select_names(list(designer.scene.nodes)))
        a.auto_layout.triggered.connect(designer.auto_layout)
        a.zoom_in.triggered.connect(lambda: designer.view.zoom_by(1.25))
        a.zoom_out.triggered.connect(lambda: designer.view.zoom_by(0.8))
        a.fit.triggered.connect(designer.view.fit_all)
        a.about.triggered.connect(self._about)
        a.plugins.triggered.connect(self.show_plugins)
        self.document.undo_stack.cleanChanged.connect(self._update_title)
        self.document.path_changed.connect(self._update_title)
        designer.validated.connect(self._show_validation)
        designer.node_selected.connect(lambda _name: self.show_layer_inspector())
        designer.palette.settings_requested.connect(self.show_training_setting)
        designer.dataset.failed.connect(lambda message: show_status(self.statusBar(), message, 8000))

    # --- files ---------------------------------------------------------------------------------------
    def new_project(self) -> None:
        if self.maybe_save():
            self._load(blank_project())
            self.log_panel.log("New project.")

    def open_project(self, path: str | Path | None = None) -> bool:
        """Open ``path`` (asks for one when None); an unreadable file is reported, not raised."""
        if not self.maybe_save():
            return False
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open project", str(self._folder()), PROJECT_FILTER)
            if not path:
                return False
        try:
            project = load_project(path)
        except ProjectError as error:
            self._report("Cannot open the project", str(error))
            return False
        self._load(project)
        self.recent.add(Path(path))
        self.log_panel.log(f"Opened {path}")
        for missing in missing_types(project, self.registry):
            self.log_panel.log(str(missing), "warning")
        return True

    def _load(self, project: Project) -> None:
        self.designer.scene.clearSelection()
        self.document.replace(_laid_out(project))
        self.project_weights.project_loaded()
        self.designer.view.fit_all()

    def save(self) -> bool:
        """Save in place; a new project, or a shipped example (kept pristine), asks where."""
        path = self.document.path
        if path is None or is_shipped_example(path):
            return self.save_as()
        return self.save_as(path)

    def save_as(self, path: str | Path | None = None) -> bool:
        """Save to ``path`` (asks for one when None); a failed save is reported, not raised."""
        if path is None:
            offered = self._folder() / self.document.path.name if self.document.path else self._folder()
            path, _ = QFileDialog.getSaveFileName(self, "Save project", str(offered), PROJECT_FILTER)
            if not path:
                return False
        target = Path(path)
        if not target.name.endswith(PROJECT_SUFFIX):
            target = target.with_name(target.name.removesuffix(".json") + PROJECT_SUFFIX)
        if not self.project_weights.save_beside(target):
            return False
        project = self.document.project()
        record_plugins(project, self.registry)
        try:
            saved = save_project(project, target)
        except (ProjectError, OSError) as error:
            self._report("Cannot save the project", str(error))
            return False
        self.document.mark_saved(saved.resolve())
        self.recent.add(saved)
        self.log_panel.log(f"Saved {saved}")
        show_status(self.statusBar(), f"Saved {saved}", 5000)
        return True

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current project: nothing unsaved (changes, trained
        weights, a run on), or the user saved or discarded it."""
        return confirm_drop(self, APP_TITLE, self._display_name(), self.document, self.training.controller,
                            self.save)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.paths()
        for path in paths:
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))  # a menu shows no tooltips
            action.triggered.connect(lambda _checked=False, path=path: self.open_project(path))
        if not paths:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def _fill_examples_menu(self) -> None:
        """One entry per shipped example, named as its project names itself; Save asks where."""
        for name in EXAMPLES:
            path = example_path(name)
            try:
                project = load_project(path)
                title, tip = project.name or name, project.description
            except ProjectError as error:  # a damaged installation: the entry says so when opened
                title, tip = name, str(error)
            action = self.examples_menu.addAction(title)
            action.setStatusTip(tip)
            action.setToolTip(tip)
            action.triggered.connect(lambda _checked=False, path=path: self.open_project(path))

    def _folder(self) -> Path:
        return offered_folder(self.document.path)

    def show_layer_inspector(self) -> None:
        """A node was chosen on the canvas: its editor comes forward, even from the Training tab."""
        self.docks["inspector"].raise_()
        self.inspector_tabs.setCurrentIndex(0)

    def show_training_setting(self, section: str) -> None:
        """Bring the Inspector's Training tab forward with ``section``'s chooser in view and focused."""
        dock = self.docks["inspector"]
        dock.show()
        dock.raise_()
        self.inspector_tabs.setCurrentWidget(self.training_tab)
        chooser = self.designer.training.chooser(section)
        self.training_tab.ensureWidgetVisible(chooser)
        chooser.setFocus()

    # --- window state -------------------------------------------------------------------------------
    def _display_name(self) -> str:
        if self.document.path:
            return self.document.path.name
        return self.document.data.get("name") or "Untitled"

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self._display_name()}[*] — {APP_TITLE}")
        self.setWindowModified(self.document.dirty)

    def _show_validation(self, validation) -> None:
        if validation.valid:
            total = sum(row["parameters"] for row in validation.summary)
            text = f"✔ Valid network · {total:,} parameters"
        elif not self.document.data["model"]["nodes"]:
            text = "Empty network: add layers from the palette"
        else:
            problems = validation.messages()
            text = f"✖ {len(problems)} problem(s): {problems[0]}"
        # the full text in the tooltip; the bar shows a bounded line so it never widens the window
        self.validation_status.setToolTip(text)
        if len(text) > STATUS_CHARS:
            text = text[: STATUS_CHARS - 1] + "…"
        self.validation_status.setText(text)
        self.validation_status.setProperty("valid", validation.valid)
        self.validation_status.style().polish(self.validation_status)

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(first_size(self.screen().availableGeometry().size()))
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        else:
            self.resizeDocks([self.docks["palette"], self.docks["inspector"]], side_widths(self.width()),
                             Qt.Orientation.Horizontal)
            self.resizeDocks([self.docks["summary"]], [bottom_height(self.height())], Qt.Orientation.Vertical)
        self.parts.layout_restored = True

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.save_layout()
        self.training.shutdown()
        event.accept()

    # --- help ---------------------------------------------------------------------------------------
    def show_plugins(self) -> PluginsDialog:
        """Help > Plugins: the plugin manager; after a change the window shows the new types."""
        dialog = PluginsDialog(self._plugin_infos, self)
        dialog.registry_changed.connect(
            lambda reloaded: apply_registry(self.registry, reloaded, self.designer, self.export_menu))
        dialog.setModal(False)  # the window stays usable beside it
        dialog.show()
        return dialog

    def _about(self) -> None:
        QMessageBox.about(
            self, f"About {APP_TITLE}",
            f"<b>{APP_TITLE}</b> {__version__}<br>Design neural networks visually and train them "
            "live on a pure-NumPy backpropagation engine.",
        )

    def _report(self, title: str, message: str) -> None:
        self.log_panel.log(message, "error")
        QMessageBox.warning(self, title, message)


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


def _laid_out(project: Project) -> Project:
    """The project with its nodes auto-laid-out when their cards would overlap on the canvas."""
    data = project.to_json()
    if not graph_edits.overlapping(data):
        return project
    graph_edits.auto_layout(data)
    return Project.from_json(data, project.path)
