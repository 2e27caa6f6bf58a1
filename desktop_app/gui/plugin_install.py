"""Installing plugins from the window: where the plugin comes from, and pip run in the background.

Installs and uninstalls that need pip run ``backprop-studio plugins ...`` in a child process: the
same code path as the command line (``desktop_app.plugin_system.admin``: pip with this interpreter, and
the same pins of the app's own packages), its output streamed into the dialog while the window
keeps responding.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Sequence

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QWidget

# The command line, as run by this interpreter (so pip installs where the app looks).
CLI_PLUGINS = (sys.executable, "-m", "desktop_app", "plugins")
ARCHIVE_FILTER = "Wheels and source distributions (*.whl *.tar.gz *.zip);;All files (*)"
DROP_IN_FILTER = "Python plugin files (*.py)"


class PluginCommand(QObject):
    """One ``backprop-studio plugins ARGS`` at a time in a QProcess; stdout and stderr merged."""

    # a piece of the command's output (decoded text, not necessarily whole lines)
    output = Signal(str)
    # the command ended: True when it exited with status 0 (False if it failed, crashed or was stopped)
    finished = Signal(bool)

    def __init__(self, parent: QObject | None = None, program: Sequence[str] = CLI_PLUGINS) -> None:
        super().__init__(parent)
        # the command run before the arguments; tests point it at a harmless one
        self.program = tuple(program)
        self._process: QProcess | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    @property
    def running(self) -> bool:
        return self._process is not None

    def start(self, arguments: Sequence[str]) -> None:
        """Start the command; refused (ValueError) while another one runs."""
        if self._process is not None:
            raise ValueError("a plugin command is already running; wait for it or stop it")
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert("PYTHONUNBUFFERED", "1")  # pip's and our lines arrive as they are printed
        process.setProcessEnvironment(environment)
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._ended)
        process.errorOccurred.connect(self._error)
        self._process = process
        self._decoder.reset()
        process.start(self.program[0], [*self.program[1:], *arguments])

    def stop(self) -> None:
        """Kill the running command (pip may leave a half-installed distribution: pip fixes it on
        the next install)."""
        if self._process is not None:
            self.output.emit("\nstopped by the user\n")
            self._process.kill()

    def _read(self) -> None:
        if self._process is not None:
            self.output.emit(self._decoder.decode(bytes(self._process.readAllStandardOutput().data())))

    def _ended(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read()
        self._finish(status == QProcess.ExitStatus.NormalExit and code == 0)

    def _error(self, error: QProcess.ProcessError) -> None:
        # a crash or kill also ends in finished(); only a failed start never does
        if error == QProcess.ProcessError.FailedToStart and self._process is not None:
            self.output.emit(f"could not start {self.program[0]}: {self._process.errorString()}\n")
            self._finish(False)

    def _finish(self, ok: bool) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.deleteLater()
            self.finished.emit(ok)


class InstallMenu(QMenu):
    """Install ▾: a PyPI name, a wheel or sdist, a project folder, or a drop-in ``.py`` file."""

    # a pip specification (name, archive or folder) the user chose
    package_chosen = Signal(str)
    # a drop-in .py file the user chose
    drop_in_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Install", parent)
        self.setObjectName("install_menu")
        self.from_pypi = self.addAction("From PyPI…", lambda: self.ask_name())
        self.from_pypi.setToolTip("Download and install a plugin distribution by name with pip")
        self.from_archive = self.addAction("Wheel or source archive…", self._ask_archive)
        self.from_archive.setToolTip("Install a .whl or .tar.gz plugin distribution with pip")
        self.from_folder = self.addAction("Project folder…", self._ask_folder)
        self.from_folder.setToolTip("Build and install a plugin project (a folder with pyproject.toml)")
        self.addSeparator()
        self.from_file = self.addAction("Drop-in .py file…", self._ask_file)
        self.from_file.setToolTip("Copy a single-file plugin into the user plugin folder")
        self.setToolTipsVisible(True)

    def ask_name(self, suggested: str = "") -> None:
        """Ask for a distribution name or requirement (``suggested`` filled in) and install it."""
        name, ok = QInputDialog.getText(self.parentWidget(), "Install from PyPI",
                                        "Distribution name (e.g. backprop-studio-extra-layers):",
                                        text=suggested)
        if ok and name.strip():
            self.package_chosen.emit(name.strip())

    def _ask_archive(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.parentWidget(), "Install a plugin distribution",
                                              "", ARCHIVE_FILTER)
        if path:
            self.package_chosen.emit(path)

    def _ask_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self.parentWidget(), "Install a plugin project folder")
        if path:
            self.package_chosen.emit(path)

    def _ask_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.parentWidget(), "Install a drop-in plugin",
                                              "", DROP_IN_FILTER)
        if path:
            self.drop_in_chosen.emit(path)
