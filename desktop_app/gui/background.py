"""Run one slow call (loading a dataset, reading a file) off the GUI thread.

The call runs on Qt's global thread pool; its result or exception comes back to the GUI thread
through queued signals, so the window keeps drawing while it works.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class Task(QObject):
    """One background call. Keep a reference until ``finished`` or ``failed`` arrives."""

    # the call's return value
    finished = Signal(object)
    # the exception the call raised
    failed = Signal(object)

    def __init__(self, call: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call = call

    def start(self) -> None:
        QThreadPool.globalInstance().start(_Runner(self))

    def _run(self) -> None:
        try:
            result = self._call()
        except Exception as error:  # delivered to the GUI thread, shown there
            self.failed.emit(error)
            return
        self.finished.emit(result)


class _Runner(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:
        self._task._run()
