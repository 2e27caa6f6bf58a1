"""Python's cyclic garbage collection on the GUI thread only, while a training thread runs.

The collector runs in whichever thread happens to allocate when a generation fills up. While the
training thread runs, that is mostly the training thread, and a collection there can finalize Qt
objects kept alive by reference cycles (plot items of a closed window, curves replaced for a new
run): their destructors then touch scenes and timers from the wrong thread ("Timers cannot be
started from another thread", or a crash). So while a run is on, automatic collection is off and
a GUI-thread timer collects instead, generation by generation as the automatic collector would
(the approach of pyqtgraph's GarbageCollector, made reversible).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """``start()`` when a worker thread starts running Python, ``stop()`` once it has finished."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._restore = False

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        if self.active:
            return
        self._restore = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        if not self.active:
            return
        self._timer.stop()
        self.collect()
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
