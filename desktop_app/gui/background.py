"""Run one slow call (loading a dataset, writing an export) off the GUI thread.

The call runs on Qt's global thread pool; its result or exception comes back to the GUI thread
through queued signals, so the window keeps drawing while it works. Connect the signals to
methods of QObjects: Qt drops the delivery when the receiver is gone.

While the call runs, garbage is collected on the GUI thread only (``collector``: the policy every
worker thread follows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from .collector import GuiThreadCollector


class Task(QObject):
    """One background call; it stays alive until its call has returned."""

    # (task, the call's return value)
    finished = Signal(object, object)
    # (task, the exception the call raised)
    failed = Signal(object, object)

    def __init__(self, call: Callable[[], Any]) -> None:
        super().__init__()
        self._call = call

    def start(self) -> None:
        collector = GuiThreadCollector.of_app()
        collector.hold()
        QThreadPool.globalInstance().start(_Runner(self, collector))

    def _run(self) -> None:
        try:
            result = self._call()
        except Exception as error:  # delivered to the GUI thread, shown there
            self.failed.emit(self, error)
            return
        self.finished.emit(self, result)


class _Runner(QRunnable):
    """Holds the task (and so keeps it alive) while the pool runs it."""

    def __init__(self, task: Task, collector: GuiThreadCollector) -> None:
        super().__init__()
        self._task = task
        self._collector = collector

    def run(self) -> None:
        try:
            self._task._run()
        finally:
            self._collector.release()
