"""The window's one word on a diverging run: the Health tab's diverging hint, told in the status bar.

As soon as the hint appears (a few steps after the loss blew up, see docs/health.md) a warning
sign with "Loss diverged" shows beside the training progress; its tooltip is the hint's title,
and a click brings the Health tab forward with the hint selected, its Why and its Apply (a lower
learning rate). When the run ends, one warning line in the log says the same and where to look.
The sign stays until the next run starts, the weights are reset or another project is loaded.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QStatusBar, QStyle, QToolButton

from ...engine.callbacks import History
from ...engine.health import Hint
from ..log_panel import LogPanel
from ..training.controller import TrainingController
from .tab import HealthTab

RULE = "diverging"
SIGN_TEXT = "Loss diverged"
WHERE = "Why, and a fix: the Health tab (click the warning sign in the status bar)."


class DivergenceNotice(QObject):
    """The sign in ``status_bar`` and the log line, from ``health``'s hints; a click shows ``dock``."""

    def __init__(self, health: HealthTab, dock: QDockWidget, status_bar: QStatusBar, log: LogPanel,
                 controller: TrainingController) -> None:
        super().__init__(status_bar)
        self.health, self.dock, self.log = health, dock, log
        self.hint: Hint | None = None
        self.sign = QToolButton(status_bar)
        self.sign.setObjectName("training_warning")
        self.sign.setIcon(status_bar.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
        self.sign.setText(SIGN_TEXT)
        self.sign.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.sign.setAutoRaise(True)
        self.sign.hide()
        status_bar.insertPermanentWidget(0, self.sign)  # before the progress text and bar
        self.sign.clicked.connect(self.reveal)
        health.shown.connect(self._show)
        controller.finished.connect(self._finished)
        controller.weights_reset.connect(lambda: self._show(()))

    def reveal(self) -> None:
        """The Health tab, in front, with the diverging hint selected."""
        self.dock.show()
        self.dock.raise_()
        self.health.reveal(RULE)

    def _show(self, hints: tuple[Hint, ...]) -> None:
        self.hint = next((hint for hint in hints if hint.rule == RULE), None)
        if self.hint is not None:
            self.sign.setToolTip(f"{self.hint.title}.\nClick for why, and a fix.")
        self.sign.setVisible(self.hint is not None)

    def _finished(self, _history: History) -> None:
        """After the run's summary line: the run's last findings came before it (see HealthFeed)."""
        if self.hint is not None:
            self.log.log(f"Warning: {self.hint.title}. {WHERE}", "warning")
