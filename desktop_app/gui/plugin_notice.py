"""A notice across the top of the window about plugins: one that failed to load, one the open
project needs that is installed but disabled (with Enable), or one it needs that is not installed
but whose distribution the project recorded (with Install).

It is not modal: work goes on with it on show. Its × hides it until what it says changes. What it
says of a project's types is ``project.requirements``' sentence, the one the command line prints.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from ..project.document import Project
from ..project.requirements import disabled_plugin, install_requirement, missing_types
from ..project.suspect_plugins import suspect_uses
from ..registry import Registry
from .designer import Designer
from .document import ProjectDocument
from .plugins_dialog import PluginsDialog
from .window_parts import WindowParts

STYLE = "#plugin_notice { background: #fff8c5; border-bottom: 1px solid #d4a72c; }"


def notice_text(project: Project, registry: Registry) -> tuple[str, str | None, str | None]:
    """What the notice says ('' for nothing), the disabled plugin it offers to enable and the
    requirement (``distribution==version``) it offers to install, if any."""
    lines, enable, install = [], None, None
    for missing in missing_types(project, registry):
        lines.append(f"This project's {missing}.")
        enable = enable or disabled_plugin(missing)
        install = install or install_requirement(missing)
    lines += [f"Plugin '{name}' failed to load: {why}." for name, why in failed_plugins(registry)]
    lines += [f"Warning: {warning[:1].upper()}{warning[1:]}." for warning in suspect_uses(project, registry)]
    return "\n".join(lines), enable, install


def failed_plugins(registry: Registry) -> list[tuple[str, str]]:
    """The plugins that failed to load, by name, each with why."""
    return [(name, why) for name, (state, why) in sorted(registry.unloaded.items()) if state == "failed"]


class PluginNotice(QFrame):
    """A strip with the problems, one line each, and what to do about them."""

    # the user asked to enable this plugin
    enable_requested = Signal(str)
    # the user asked to install this requirement (``distribution==version``)
    install_requested = Signal(str)
    # the user asked for Help > Plugins
    plugins_requested = Signal()
    # whether the notice has something to show (its dock follows)
    shown = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plugin_notice")
        self.setStyleSheet(STYLE)
        self.label = QLabel(self)
        self.label.setObjectName("plugin_notice_text")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # one line per problem, as tall as its lines; a long line is cut (the tooltip has it all)
        # rather than widening the window
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.label.setMinimumWidth(200)
        self.enable_button = QPushButton("Enable", self)
        self.install_button = QPushButton("Install…", self)
        self.plugins_button = QPushButton("Plugins…", self)
        self.close_button = QToolButton(self)
        self.close_button.setText("×")
        self.close_button.setToolTip("Hide this notice")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        for button in (self.enable_button, self.install_button, self.plugins_button, self.close_button):
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        self.enable_button.clicked.connect(lambda: self.enable_requested.emit(self._enable))
        self.install_button.clicked.connect(lambda: self.install_requested.emit(self._install))
        self.plugins_button.clicked.connect(self.plugins_requested)
        self.close_button.clicked.connect(self._dismiss)
        self._enable: str | None = None
        self._install: str | None = None
        self.about: str | None = None  # the plugin named first: Plugins… opens on it
        self._dismissed = ""

    def show_problems(self, project: Project, registry: Registry) -> None:
        text, enable, install = notice_text(project, registry)
        self._enable, self._install = enable, install
        self.about = enable or next((name for name, _why in failed_plugins(registry)), None)
        self.label.setText(text)
        self.label.setToolTip(text)
        self.enable_button.setVisible(enable is not None)
        if enable is not None:
            self.enable_button.setToolTip(f"Enable plugin '{enable}' (its types come back at once)")
        self.install_button.setVisible(install is not None)
        if install is not None:
            self.install_button.setToolTip(f"Install {install} with pip through Help > Plugins")
        self.shown.emit(bool(text) and text != self._dismissed)

    def _dismiss(self) -> None:
        self._dismissed = self.label.text()
        self.shown.emit(False)


def install_plugin_notice(parts: WindowParts, designer: Designer, document: ProjectDocument,
                          registry: Registry, show_plugins: Callable[[], PluginsDialog]) -> PluginNotice:
    """Put the notice across the top of the window (hidden while it has nothing to say), kept
    current after every change (another project opened, plugins reloaded); its buttons open Help >
    Plugins through ``show_plugins``."""
    notice = PluginNotice()
    dock = parts.add_banner("plugin_notice", "Plugin notice", notice)
    notice.shown.connect(dock.setVisible)
    notice.plugins_requested.connect(lambda: select_plugin(show_plugins(), notice.about))
    notice.enable_requested.connect(lambda name: enable_plugin(show_plugins(), name))
    notice.install_requested.connect(lambda requirement: show_plugins().ask_install(requirement))
    designer.validated.connect(lambda _validation: notice.show_problems(document.project(), registry))
    return notice


def select_plugin(dialog: PluginsDialog, name: str | None) -> None:
    """Help > Plugins on plugin ``name``, the one the notice is about, when it is listed."""
    if name is not None:
        with suppress(KeyError):  # not listed any more: the dialog shows what is installed
            dialog.select(name)


def enable_plugin(dialog: PluginsDialog, name: str) -> None:
    """Enable plugin ``name`` through Help > Plugins, which shows how it went and reloads the types."""
    try:
        info = dialog.select(name)
    except KeyError:  # not listed any more: the dialog shows what is installed
        return
    dialog.set_enabled(True, info)
