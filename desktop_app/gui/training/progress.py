"""Progress in the status bar: a bar over the run's batches, then epoch, batch, samples/s and ETA.

The text changes a few times a second, not at the plots' rate: each change repaints the status bar.
The bar is not a QProgressBar: its ``setValue`` repaints at once, and that paints every region of
the window waiting to be painted, plots included, inside the Python call (holding the GIL, so the
training thread stands still meanwhile). ``ProgressStrip`` repaints with the next frame instead.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QSize
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QStyle, QStyleOptionProgressBar, QStylePainter, QWidget

from ...engine.callbacks import RunInfo
from .bridge import Progress


def describe(info: RunInfo, progress: Progress) -> str:
    """``epoch 3/15 · batch 12/45 · 1,234 samples/s · ETA 0:42`` (pauses excluded from the rate)."""
    parts = [f"epoch {progress.epoch}/{info.epochs}", f"batch {progress.batch}/{info.batches_per_epoch}"]
    if progress.seconds > 0:
        parts.append(f"{progress.samples_seen / progress.seconds:,.0f} samples/s")
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


class ProgressStrip(QWidget):
    """A progress bar drawn by the style like QProgressBar, repainted with the next frame."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._minimum, self._maximum, self._value = 0, 100, 0

    def setRange(self, minimum: int, maximum: int) -> None:  # noqa: N802 - QProgressBar's names
        self._minimum, self._maximum = minimum, max(minimum, maximum)
        self.setValue(self._value)

    def setValue(self, value: int) -> None:  # noqa: N802
        value = min(max(value, self._minimum), self._maximum)
        if value != self._value:
            self._value = value
            self.update()

    def value(self) -> int:
        return self._value

    def maximum(self) -> int:
        return self._maximum

    def text(self) -> str:
        span = self._maximum - self._minimum
        return f"{100 * (self._value - self._minimum) // span if span else 100}%"

    def sizeHint(self) -> QSize:  # noqa: N802
        metrics = self.fontMetrics()
        content = QSize(metrics.horizontalAdvance("100%") + 90, metrics.height() + 2)
        kind = QStyle.ContentsType.CT_ProgressBar
        return self.style().sizeFromContents(kind, self._option(), content, self)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        QStylePainter(self).drawControl(QStyle.ControlElement.CE_ProgressBar, self._option())

    def _option(self) -> QStyleOptionProgressBar:
        option = QStyleOptionProgressBar()
        option.initFrom(self)
        option.state |= QStyle.StateFlag.State_Horizontal
        option.minimum, option.maximum, option.progress = self._minimum, self._maximum, self._value
        option.text, option.textVisible = self.text(), True
        return option


class ProgressDisplay:
    """Two permanent status-bar widgets, shown while a run is on."""

    def __init__(self, status_bar: QStatusBar) -> None:
        self.bar = ProgressStrip(status_bar)
        self.bar.setObjectName("training_progress")
        self.bar.setMaximumWidth(180)
        self.label = QLabel(status_bar)
        self.label.setObjectName("training_status")
        status_bar.addPermanentWidget(self.label)
        status_bar.addPermanentWidget(self.bar)
        self.bar.hide()
        self._text = ""
        self._paused = False
        self._shown_at = 0.0

    def start(self, info: RunInfo) -> None:
        self.bar.setRange(0, info.total_steps)
        self.bar.setValue(0)
        self.bar.show()
        self._shown_at = 0.0
        self._show(f"epoch 1/{info.epochs} · starting")

    def update(self, info: RunInfo, progress: Progress) -> None:
        """Show ``progress`` (a few times a second; always while paused: the last batches before
        the pause arrive after it and are what stays on show)."""
        now = time.monotonic()
        if not self._paused and now - self._shown_at < UPDATE_SECONDS:
            return
        self._shown_at = now
        self.bar.setValue(progress.step)
        self._show(describe(info, progress))

    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        self._show(self._text)

    def clear(self) -> None:
        """Nothing to report (the trained weights were reset)."""
        self.finish("")

    def finish(self, text: str) -> None:
        self.bar.hide()
        self._paused = False
        self._show(text)

    def _show(self, text: str) -> None:
        self._text = text
        self.label.setText(f"{text} · paused" if self._paused else text)
