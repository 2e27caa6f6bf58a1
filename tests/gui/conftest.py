"""Shared fixtures of the GUI tests: temporary settings, scripted dialogs, a window on a project.

Every test runs with QSettings redirected to its tmp_path (never the user's settings), and with
QMessageBox's static dialogs replaced by a recorder, so nothing modal can block a test.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QThreadPool
from PySide6.QtWidgets import QMessageBox

from desktop_app.engine.health import HealthMonitor
from desktop_app.gui.main_window import MainWindow
from desktop_app.plugin_system import current_registry
from desktop_app.project.examples import example_path
from desktop_app.project.files import load_project


class Dialogs:
    """Records every message box; ``answer`` is what the next question returns."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []
        self.answer = QMessageBox.StandardButton.Discard

    def question(self, _parent, title, text, *_args, **_kwargs):
        self.shown.append(("question", title, text))
        return self.answer

    def notify(self, kind: str):
        def show(_parent, title, text, *_args, **_kwargs):
            self.shown.append((kind, title, text))
            return QMessageBox.StandardButton.Ok
        return show

    def texts(self, kind: str) -> list[str]:
        return [text for shown_kind, _title, text in self.shown if shown_kind == kind]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch) -> Dialogs:
    recorder = Dialogs()
    monkeypatch.setattr(QMessageBox, "question", recorder.question)
    for kind in ("warning", "critical", "information", "about"):
        monkeypatch.setattr(QMessageBox, kind, recorder.notify(kind))
    return recorder


@pytest.fixture(autouse=True)
def temporary_settings(tmp_path, qapp):
    """QSettings() anywhere in the app writes under tmp_path for this test."""
    folder = tmp_path / "qsettings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder
    QThreadPool.globalInstance().waitForDone()


@pytest.fixture(autouse=True)
def widgets_deleted_at_teardown(qapp):
    """Delete the test's closed widgets now, not whenever the garbage collector gets to them.

    pytest-qt closes them and calls ``deleteLater``, which runs only in a later event loop; once
    the test's references are gone, the collector may free a window's Python wrapper first and
    Shiboken then deletes the C++ window from inside the collection, while Python objects it calls
    back into are half torn down (a segmentation fault in a later test, seen once in CI)."""
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


class FixedScheduleMonitor(HealthMonitor):
    """Measures every ``MEASURE_EVERY`` steps, whatever measuring costs on this machine."""

    def __init__(self, model, loss, **options) -> None:
        super().__init__(model, loss, **{**options, "budget": None})


@pytest.fixture
def fixed_health_schedule(monkeypatch) -> None:
    """The window's health monitor measures on a fixed schedule, for tests that expect given hints.

    It spaces its measurements by their CPU cost, so which steps it measures depends on the machine
    and its load, and a rule near its threshold comes and goes with them: the spiral at a learning
    rate of 5 has no ``learning_rate_high`` measured every 28 or 70 steps (it has every 10). The
    spacing itself is tested with a fake clock in tests/engine/test_health.py."""
    monkeypatch.setattr("desktop_app.gui.health.feed.HealthMonitor", FixedScheduleMonitor)


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, settings):
    """``make_window(project=None, registry=None)``: a shown window whose dataset has loaded.

    At 1400x860, the size the tests were written at: a first start fits the window to the screen,
    and the offscreen platform's screen is 800x800. ``size=None`` keeps the first-start size; a
    size saved by an earlier window of the test is kept too."""

    def make(project=None, registry=None, wait_dataset: bool = True, size=(1400, 860)) -> MainWindow:
        project = project or load_project(example_path("digits_mlp"))
        window = MainWindow(project, settings, registry or current_registry(), plugin_infos=list)
        if size is not None and settings.value("window/geometry") is None:
            window.resize(*size)
        qtbot.addWidget(window)
        if wait_dataset:
            with qtbot.waitSignals([window.designer.dataset.loaded], timeout=10_000):
                window.show()
        else:
            window.show()
        return window

    return make
