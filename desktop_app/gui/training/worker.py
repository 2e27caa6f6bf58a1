"""The training worker: a QObject moved to its own QThread, where it drives the engine's Trainer.

The GUI never computes a gradient. It hands the worker a ``prepare`` call (build the run from the
project, or hand back the one to resume) which runs on the training thread, so loading a dataset
never blocks the window. Every outcome reaches the GUI as a queued signal; an exception becomes
``errored`` with the failing layer and its plugin named, and the thread ends cleanly.

While it trains, BLAS (NumPy's matrix products) gets one thread fewer than the machine has cores:
the window needs a core to draw on, and OpenBLAS's helper threads keep spinning on theirs for a
while after each product. With every core taken, the training thread waited for a core whenever
the window drew (docs/gui.md, "BLAS one thread short of the cores", has the measurements).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from threadpoolctl import threadpool_limits

from ...engine.errors import LayerError
from ...plugin_system import format_layer_error
from ...project.run import Run
from .bridge import ThrottledBridge


def blas_threads() -> int:
    """BLAS threads while the window trains: all cores but one, at least one."""
    return max(1, (os.cpu_count() or 1) - 1)


def describe_error(error: BaseException) -> str:
    """What to tell the user: a layer failure names its node, type and plugin; others say themselves."""
    if isinstance(error, LayerError):
        return format_layer_error(error)
    return str(error) or type(error).__name__


class TrainingWorker(QObject):
    """Trains one run, then is done; started by its thread's ``started`` signal (see ``start``)."""

    # the run ended (completed, stopped or stopped early): its engine History
    finished = Signal(object)
    # the run failed: (a message naming the layer and its plugin, the exception)
    errored = Signal(str, object)
    # always last: the Run that trained (None when it could not be built)
    done = Signal(object)

    def __init__(self, prepare: Callable[[], Run], bridge: ThrottledBridge) -> None:
        super().__init__()
        self._prepare = prepare
        self._bridge = bridge

    def start(self) -> QThread:
        """Move to a new thread and train there; the thread quits once ``done`` was emitted."""
        thread = QThread()
        thread.setObjectName("training")
        self.moveToThread(thread)
        thread.started.connect(self.run)
        # direct: quit from the training thread, even while the GUI thread waits for it
        self.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.start()
        return thread

    @Slot()
    def run(self) -> None:
        run: Run | None = None
        try:
            run = self._prepare()
            self._bridge.watch(run)
            self._attach(run)
            with threadpool_limits(limits=blas_threads(), user_api="blas"):
                history = run.fit()
        except Exception as error:  # shown to the user; the app and the kept model stay usable
            self.errored.emit(describe_error(error), error)
        else:
            self.finished.emit(history)
        finally:
            self.done.emit(run)

    def _attach(self, run: Run) -> None:
        """The bridge joins the run's callbacks, once (a resumed run already has it)."""
        callbacks = [callback for callback in run.trainer.callbacks if callback is not self._bridge]
        run.trainer.callbacks = [*callbacks, self._bridge]
