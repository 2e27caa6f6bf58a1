"""Early stopping: end a run when a monitored value stops improving, and keep the best weights."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .errors import ConfigError


@dataclass(frozen=True)
class EarlyStopping:
    """Settings: stop once ``patience`` epochs in a row bring no improvement larger than ``min_delta``.

    ``monitor`` is a name from the epoch logs (``val_loss``, ``val_accuracy``, ``loss``, ...).
    ``mode`` says whether lower or higher is better; ``auto`` uses min for losses and the metric's
    own direction otherwise. With ``restore_best_weights`` the model ends the run (stopped early
    or completed) with the weights of its best epoch.
    """

    monitor: str = "val_loss"
    mode: Literal["auto", "min", "max"] = "auto"
    patience: int = 5
    min_delta: float = 0.0
    restore_best_weights: bool = True

    def __post_init__(self) -> None:
        where = "early stopping"
        if self.mode not in ("auto", "min", "max"):
            raise ConfigError(f"{where}: mode must be 'auto', 'min' or 'max'. Received: {self.mode!r}")
        if isinstance(self.patience, bool) or not isinstance(self.patience, int) or self.patience < 0:
            raise ConfigError(f"{where}: patience must be a whole number >= 0. Received: {self.patience!r}")
        if not math.isfinite(self.min_delta) or self.min_delta < 0:
            raise ConfigError(f"{where}: min_delta must be finite and >= 0. Received: {self.min_delta!r}")


class EarlyStoppingTracker:
    """The state of one run: the best value so far, its epoch and weights, the epochs waited."""

    def __init__(self, settings: EarlyStopping, maximize: bool) -> None:
        self.settings = settings
        self.maximize = maximize
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.best_weights: dict[str, np.ndarray] | None = None
        self.wait = 0

    def update(
        self, epoch: int, logs: dict[str, float], weights: Callable[[], dict[str, np.ndarray]]
    ) -> bool:
        """Record one epoch's logs; True when the run should stop. ``weights()`` copies the model's."""
        value = logs[self.settings.monitor]
        if self._improves(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.settings.restore_best_weights:
                self.best_weights = weights()
            return False
        self.wait += 1
        return self.wait >= self.settings.patience

    def _improves(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.best is None:
            return True
        delta = self.settings.min_delta
        return value > self.best + delta if self.maximize else value < self.best - delta
