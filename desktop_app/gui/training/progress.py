"""Progress in the status bar: a bar over the run's batches, then epoch, batch, samples/s and ETA.

The text changes a few times a second, not at the plots' rate: each change repaints the status bar.
The bar's ``setValue`` repaints at once, and that paints every region of the window waiting to
be painted, plots included: called from Python, all of it ran holding the GIL, while the training
thread stood still. So the value is handed to the bar through Qt's event queue (``set_later``):
Qt then calls ``setValue`` from its event loop, with no Python on the stack.
"""

from __future__ import annotations

from PySide6.QtCore import Q_ARG, QMetaObject, Qt
from PySide6.QtWidgets import QProgressBar, QStatusBar

from ...engine.callbacks import RunInfo
from ..status_messages import ElidedLabel
from .bridge import Progress
from .clock import Clock, monotonic


def describe(info: RunInfo, progress: Progress, epochs_before: int = 0, paused: bool = False) -> str:
    """``epoch 3/15 · batch 12/45 · 1,234 samples/s · ETA 0:42`` (pauses excluded from the rate).

    Epochs are numbered as the plots' epoch axis counts them, after the ``epochs_before`` epochs of
    the runs the curves continue; while ``paused`` there is no ETA (nothing is counting down)."""
    parts = [f"epoch {epochs_before + progress.epoch}/{epochs_before + info.epochs}",
             f"batch {progress.batch}/{info.batches_per_epoch}"]
    if progress.seconds > 0:
        parts.append(f"{progress.samples_seen / progress.seconds:,.0f} samples/s")
        if not paused:
            remaining = (info.total_steps - progress.step) * progress.seconds / progress.step
            parts.append(f"ETA {clock_text(remaining)}")
    return " · ".join(parts)


def clock_text(seconds: float) -> str:
    """``0:42``, ``12:05``, ``1:02:09``."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


UPDATE_SECONDS = 0.25


def set_later(bar: QProgressBar, value: int) -> None:
    """``bar.setValue(value)``, from Qt's event loop instead of from this Python call."""
    QMetaObject.invokeMethod(bar, "setValue", Qt.ConnectionType.QueuedConnection, Q_ARG(int, value))


class ProgressDisplay:
    """Permanent status-bar widgets: the bar and the text while a run is on, the outcome after it
    (a diverged run's warning sign is the Health tab's: health/divergence_notice.py)."""

    def __init__(self, status_bar: QStatusBar, clock: Clock = monotonic) -> None:
        self.clock = clock
        self.bar = QProgressBar(status_bar)
        self.bar.setObjectName("training_progress")
        self.bar.setMaximumWidth(180)
        self.bar.setTextVisible(True)
        self.label = ElidedLabel(status_bar)  # gives way on a narrow window
        self.label.setObjectName("training_status")
        status_bar.addPermanentWidget(self.label)
        status_bar.addPermanentWidget(self.bar)
        self.bar.hide()
        # a status tip or message on show: the run's text steps aside so that it can be read (the
        # text is wide, and the bar shows a message only left of its permanent widgets)
        status_bar.messageChanged.connect(lambda message: self.label.setVisible(not message))
        self._text = ""
        self._paused = False
        self._shown_at = 0.0
        # what ``update`` last described, described again when a pause starts or ends
        self._latest: tuple[RunInfo, Progress, int] | None = None

    def begin(self) -> None:
        """A run is about to start (its length is not known yet): the bar appears, empty."""
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.show()
        self._shown_at = 0.0
        self._show("starting")

    def start(self, info: RunInfo, epochs_before: int = 0) -> None:
        """The run started: the bar counts its batches."""
        self.bar.setRange(0, info.total_steps)
        self._latest = None
        self._show(f"epoch {epochs_before + 1}/{epochs_before + info.epochs} · starting")

    def update(self, info: RunInfo, progress: Progress, epochs_before: int = 0) -> None:
        """Show ``progress`` (a few times a second; always while paused: the last batches before
        the pause arrive after it and are what stays on show)."""
        now = self.clock()
        if not self._paused and now - self._shown_at < UPDATE_SECONDS:
            return
        self._shown_at = now
        set_later(self.bar, progress.step)
        self._latest = (info, progress, epochs_before)
        self._show(describe(info, progress, epochs_before, self._paused))

    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        self._show(describe(*self._latest, paused) if self._latest else self._text)

    def clear(self) -> None:
        """Nothing to report (the trained weights were reset)."""
        self.finish("")

    def finish(self, text: str) -> None:
        """The run ended: ``text`` stays on show."""
        self.bar.hide()
        self._paused = False
        self._latest = None
        self._show(text)

    def _show(self, text: str) -> None:
        self._text = text
        self.label.setText(f"{text} · paused" if self._paused else text)
