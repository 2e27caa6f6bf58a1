"""Help > Plugins: the plugin manager. Every plugin with its origin, status, what it contributes and
what went wrong; Install, Uninstall, Enable and Disable, with the window updated right after.

Changes go through ``desktop_app.plugin_system.admin``, as on the command line: a drop-in file or the
disabled list changes at once; anything needing pip runs in a child process (``PluginCommand``)
whose output the dialog shows. After every change the plugins are reloaded off the GUI thread and
``registry_changed`` hands the new registry to the window, so a new plugin's layers appear
without a restart.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..plugin_system import PluginInfo, reload_registry
from ..plugin_system import admin as plugin_admin
from ..plugin_system.discovery import normalize
from ..registry import Registry
from ..settings import plugin_dir
from .background import Task
from .plugin_details import (
    STATUS_COLORS,
    Action,
    contribution,
    describe,
    imported_versions,
    refusal,
    restart_notes,
)
from .plugin_install import InstallMenu, PluginCommand

COLUMNS = ("Plugin", "Status", "Source", "Version")
MAX_OUTPUT_LINES = 5000
NAME_COLUMN_WIDTH = 300
ERROR_COLOR = "#d1242f"
# a plugin row's index into the listed plugins
_INDEX_ROLE = Qt.ItemDataRole.UserRole


class PluginsDialog(QDialog):
    """A tree of plugins (contributions and problems below each), their details, the actions, and
    the output of the last operation. ``plugins`` gives the current list (called again after a
    change); ``reload`` reloads every plugin and returns the new registry."""

    # the registry after a change (install, uninstall, enable, disable): the window shows its types
    registry_changed = Signal(object)
    # an operation ended and the list is up to date: True when it succeeded
    operation_finished = Signal(bool)

    def __init__(
        self,
        plugins: Callable[[], Sequence[PluginInfo]],
        parent: QWidget | None = None,
        reload: Callable[[], Registry] = reload_registry,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Plugins")
        self.resize(820, 600)
        self._plugins = plugins
        self._reload = reload
        self._listed: list[PluginInfo] = []
        self._imported: dict[str, str | None] = {}
        self._succeeded = True
        self._busy = False
        self._task: Task | None = None
        self.command = PluginCommand(self)
        self.command.output.connect(self._write)
        self.command.finished.connect(self._pip_finished)
        self._build()
        self.show_plugins()

    # --- building ----------------------------------------------------------------------------------
    def _build(self) -> None:
        folder = plugin_dir()
        note = QLabel(
            "Plugins add layers, losses, optimizers, datasets and exporters. They run with your "
            "permissions: install only plugins you trust.<br>Drop-in plugin folder: "
            f"<a href='{QUrl.fromLocalFile(str(folder)).toString()}'>{folder}</a>", self)
        note.setWordWrap(True)
        note.setOpenExternalLinks(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("plugins_tree")
        self.tree.setHeaderLabels(COLUMNS)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, NAME_COLUMN_WIDTH)
        self.tree.currentItemChanged.connect(lambda *_: self._show_selected())
        self.details = QTextBrowser(self)
        self.details.setObjectName("plugin_details")
        self.show_tracebacks = QCheckBox("Show tracebacks", self)
        self.show_tracebacks.toggled.connect(lambda _on: self._show_selected())
        details_page = QWidget(self)
        details_layout = QVBoxLayout(details_page)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(self.details)
        details_layout.addWidget(self.show_tracebacks)
        self.output = QPlainTextEdit(self)
        self.output.setObjectName("plugin_output")
        self.output.setReadOnly(True)
        self.output.setMaximumBlockCount(MAX_OUTPUT_LINES)
        self.output.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.output.setPlaceholderText("What install, uninstall, enable and disable did, pip's messages too.")
        self.tabs = QTabWidget(self)
        self.tabs.addTab(details_page, "Details")
        self.tabs.addTab(self.output, "Output")
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.tabs)
        splitter.setSizes([300, 240])
        self.status = QLabel(self)
        self.status.setObjectName("plugin_status")
        self.status.setWordWrap(True)
        self.status.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addLayout(self._build_buttons())

    def _build_buttons(self) -> QHBoxLayout:
        self.install_menu = InstallMenu(self)
        self.install_menu.package_chosen.connect(lambda spec: self.install_package(spec))
        self.install_menu.drop_in_chosen.connect(self.install_drop_in)
        self.install_button = QPushButton("Install", self)
        self.install_button.setMenu(self.install_menu)
        self.uninstall_button = QPushButton("Uninstall…", self)
        self.uninstall_button.clicked.connect(lambda: self.uninstall())
        self.enable_button = QPushButton("Enable", self)
        self.enable_button.clicked.connect(lambda: self.set_enabled(True))
        self.disable_button = QPushButton("Disable", self)
        self.disable_button.clicked.connect(lambda: self.set_enabled(False))
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy, length unknown
        self.progress.setMaximumWidth(120)
        self.progress.hide()
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setToolTip("Stop pip (kills the process)")
        self.stop_button.clicked.connect(self.command.stop)
        self.stop_button.hide()
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        for button in (self.install_button, self.uninstall_button, self.enable_button, self.disable_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.progress)
        row.addWidget(self.stop_button)
        row.addWidget(self.close_buttons)
        return row

    # --- the list ----------------------------------------------------------------------------------
    def show_plugins(self) -> None:
        """(Re)fill the tree from ``plugins()``, keeping the selected plugin selected."""
        current = self.selected()
        keep = (current.name, current.location) if current is not None else None
        self._listed = list(self._plugins())
        self.tree.clear()
        for index, info in enumerate(self._listed):
            row = QTreeWidgetItem([info.name, info.status, info.source, info.version or ""])
            row.setData(0, _INDEX_ROLE, index)
            row.setForeground(1, QColor(STATUS_COLORS.get(info.status, "#1f2328")))
            if info.reason:
                row.setToolTip(1, info.reason)
            for kind, names in sorted(info.contributes.items()):
                QTreeWidgetItem(row, [contribution(kind, names)]).setToolTip(0, contribution(kind, names))
            for problem in info.problems:
                item = QTreeWidgetItem(row, [f"problem: {problem.message}"])
                item.setForeground(0, QColor(ERROR_COLOR))
                item.setToolTip(0, problem.traceback or problem.message)
            self.tree.addTopLevelItem(row)
            for child in range(row.childCount()):  # long lines use the whole width
                row.child(child).setFirstColumnSpanned(True)
            row.setExpanded(not info.builtin)
            if keep == (info.name, info.location):
                self.tree.setCurrentItem(row)
        self._show_selected()

    def selected(self) -> PluginInfo | None:
        """The plugin of the current row (or of the row a selected contribution belongs to)."""
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        if item is None:
            return None
        index = item.data(0, _INDEX_ROLE)
        return self._listed[index] if index is not None and index < len(self._listed) else None

    def select(self, name: str) -> PluginInfo:
        """Make plugin ``name`` the current row (KeyError when it is not listed)."""
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item.text(0) == name:
                self.tree.setCurrentItem(item)
                return self._listed[item.data(0, _INDEX_ROLE)]
        raise KeyError(f"no plugin named '{name}' is listed; listed: {[i.name for i in self._listed]}")

    def _show_selected(self) -> None:
        info = self.selected()
        self.details.setHtml(describe(info, self.show_tracebacks.isChecked()) if info is not None
                             else "<p>Select a plugin to see where it comes from and what it adds.</p>")
        for button, action in ((self.uninstall_button, "uninstall"), (self.enable_button, "enable"),
                               (self.disable_button, "disable")):
            self._offer(button, info, action)
        self.install_button.setEnabled(not self._busy)

    def _offer(self, button: QPushButton, info: PluginInfo | None, action: Action) -> None:
        """Enable ``button`` when ``action`` applies to ``info``; otherwise its tooltip says why."""
        why = "Select a plugin first." if info is None else refusal(info, action)
        if self._busy:
            why = "Wait for the current operation to finish."
        button.setEnabled(not why)
        button.setToolTip(why or f"{action.capitalize()} '{info.name}'")

    # --- operations --------------------------------------------------------------------------------
    def install_package(self, spec: str, options: Sequence[str] = ()) -> None:
        """pip-install ``spec`` (a PyPI name, wheel, sdist or project folder) in the background.

        ``options`` are the command line's install flags (``--upgrade``, ``--no-deps``, ...).
        """
        self._run_pip(f"Installing {spec}…", ["install", spec, *options])

    def ask_install(self, requirement: str) -> None:
        """Install ▸ From PyPI with ``requirement`` filled in: the user confirms (or edits) it first."""
        self.install_menu.ask_name(requirement)

    def install_drop_in(self, path: str | Path) -> None:
        """Copy a ``.py`` plugin into the plugin folder; an existing one is replaced if the user agrees."""
        source = Path(path)
        replace = (plugin_dir() / source.name).exists()
        if replace and not self._confirm("Replace plugin",
                                         f"A drop-in plugin named {source.name} is installed. Replace it?"):
            return
        self._change(f"Installing {source.name}…",
                     lambda: f"installed plugin '{plugin_admin.install_drop_in(source, replace).name}' "
                             f"into {plugin_dir()}")

    def uninstall(self, info: PluginInfo | None = None) -> None:
        """Remove the selected plugin (or ``info``) after asking; never imports it."""
        info = info or self.selected()
        if info is None or refusal(info, "uninstall"):
            return
        if self._needs_pip(info):
            question = (f"Uninstall '{info.name}'? pip removes the distribution "
                        f"{info.distribution or info.name} and every plugin it provides.")
        else:
            question = f"Uninstall '{info.name}'? Its file {info.location} is deleted."
        if not self._confirm("Uninstall plugin", question):
            return
        if self._needs_pip(info):
            self._run_pip(f"Uninstalling {info.name}…", ["uninstall", info.name])
        else:
            self._change(f"Uninstalling {info.name}…",
                         lambda: f"removed {', '.join(plugin_admin.uninstall(info.name))}")

    def set_enabled(self, enabled: bool, info: PluginInfo | None = None) -> None:
        """Enable or disable the selected plugin (or ``info``); it takes effect at once."""
        info = info or self.selected()
        action = "enable" if enabled else "disable"
        if info is None or refusal(info, action):
            return

        def change() -> str:
            changed = plugin_admin.set_enabled(info.name, enabled)
            past = "enabled" if enabled else "disabled"
            return f"{past} {', '.join(changed)}" if changed else f"'{info.name}' was already {past}"

        self._change(f"{'Enabling' if enabled else 'Disabling'} {info.name}…", change)

    def _needs_pip(self, info: PluginInfo) -> bool:
        """Uninstalling ``info`` runs pip when an installed distribution answers to its name."""
        wanted = normalize(info.name)
        return any(other.source == "entry point"
                   and wanted in {normalize(other.name), normalize(other.distribution or "")}
                   for other in self._listed)

    def _confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def _change(self, what: str, call: Callable[[], str]) -> None:
        """A quick file operation (a drop-in file, the settings): done now, then the reload."""
        if not self._begin(what):
            return
        try:
            message = call()
        except (ValueError, OSError) as error:  # plugin_admin's errors are ValueErrors: shown, not raised
            self._write(f"error: {error}\n")
            self._end(False, f"error: {error}")
            return
        self._write(message + "\n")
        self._reload_plugins(True)

    def _run_pip(self, what: str, arguments: list[str]) -> None:
        if not self._begin(what):
            return
        self._write(f"$ backprop-studio plugins {' '.join(arguments)}\n")
        self.stop_button.show()
        self.command.start(arguments)

    def _pip_finished(self, ok: bool) -> None:
        self.stop_button.hide()
        importlib.invalidate_caches()  # see the files pip just wrote (or removed)
        self._reload_plugins(ok)

    # --- busy, reload, done ------------------------------------------------------------------------
    def _begin(self, what: str) -> bool:
        """Start an operation; False (and nothing done) while another one is under way."""
        if self._busy:
            self._set_status(f"Not started: {what.rstrip('…')} must wait for the current operation.",
                             error=True)
            return False
        self._imported = imported_versions(self._listed)
        self._set_busy(True)
        self.tabs.setCurrentWidget(self.output)
        self._set_status(what)
        return True

    def _reload_plugins(self, ok: bool) -> None:
        """Reload every plugin in the background (importing a plugin may be slow)."""
        self._succeeded = ok
        self._set_status("Reloading plugins…")
        self._task = Task(self._reload)
        self._task.finished.connect(self._reloaded)
        self._task.failed.connect(self._reload_failed)
        self._task.start()

    def _reloaded(self, _task: Task, registry: Registry) -> None:
        self._task = None
        self.registry_changed.emit(registry)
        self.show_plugins()
        notes = restart_notes(self._imported, self._listed)
        for note in notes:
            self._write(f"note: {note}\n")
        if self._succeeded:
            self._end(True, " ".join(notes) or "Done: the palette and forms show the plugins now installed.")
        else:
            self._end(False, "The operation failed: see the output above.")

    def _reload_failed(self, _task: Task, error: BaseException) -> None:
        self._task = None
        self._write(f"error: reloading the plugins failed: {type(error).__name__}: {error}\n")
        self._end(False, f"error: reloading the plugins failed: {error}")

    def _end(self, ok: bool, message: str) -> None:
        self._set_busy(False)
        self._set_status(message, error=not ok)
        self.operation_finished.emit(ok)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        self.close_buttons.setEnabled(not busy)
        self._show_selected()

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.status.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")

    def _write(self, text: str) -> None:
        self.output.moveCursor(QTextCursor.MoveOperation.End)
        self.output.insertPlainText(text)
        self.output.ensureCursorVisible()

    @property
    def busy(self) -> bool:
        """True while an operation (pip, a file change, the reload after it) is under way."""
        return self._busy

    def reject(self) -> None:
        """Close, except while an operation runs: pip is never left half-way by closing."""
        if self._busy:
            self._set_status("Still working: wait for it to finish, or press Stop.")
            return
        super().reject()

