"""One garbage-collection policy for every worker thread: Python's cyclic collection runs on the
GUI thread only, while any worker (the training thread, a background task) runs Python.

The collector runs in whichever thread happens to allocate when a generation fills up. While a
worker runs, that is often the worker, and a collection there can finalize Qt objects kept alive
by reference cycles (plot items of a closed window, curves replaced for a new run): their
destructors then touch scenes and timers from the wrong thread ("Timers cannot be started from
another thread", a deadlock on a Qt mutex against the GUI thread, or a crash). So while a worker
is on, automatic collection is off and a GUI-thread timer collects instead, generation by
generation as the automatic collector would (the approach of pyqtgraph's GarbageCollector, made
reversible). The application has one collector (``GuiThreadCollector.of_app()``), so two workers
at once share one policy.
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

INTERVAL_MS = 500
NAME = "gui_thread_collector"


class GuiThreadCollector(QObject):
    """``hold()`` on the GUI thread before a worker starts running Python; ``release()`` from any
    thread once it stopped. Automatic collection comes back once no worker holds it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        self._restore = False
        self._lock = threading.Lock()
        self._workers = 0

    @classmethod
    def of_app(cls) -> GuiThreadCollector:
        """The application's collector (a child of the QApplication, made on first use)."""
        app = QCoreApplication.instance()
        found = app.findChild(cls, NAME)
        if found is None:
            found = cls(app)
            found.setObjectName(NAME)
        return found

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def hold(self) -> None:
        with self._lock:
            self._workers += 1
        if not self.active:
            self._restore = gc.isenabled()
            gc.disable()
            self._timer.start()

    def release(self) -> None:
        """A worker stopped running Python. On the GUI thread the policy ends at once when it was
        the last; from the worker's own thread, at the timer's next tick on the GUI thread."""
        with self._lock:
            self._workers -= 1
        if QThread.currentThread() is self.thread():
            self._tick()

    def _tick(self) -> None:
        self.collect()
        with self._lock:
            idle = self._workers == 0
        if idle and self.active:
            self._timer.stop()
            if self._restore:
                gc.enable()

    def collect(self) -> None:
        """Collect the generations that filled up since the last look (GUI thread)."""
        thresholds, counts = gc.get_threshold(), gc.get_count()
        generation = -1
        for index in range(3):
            if counts[index] <= thresholds[index]:
                break
            generation = index
        if generation >= 0:
            gc.collect(generation)
