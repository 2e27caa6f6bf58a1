"""The Metric contract: a number computed from predictions and targets, for reports only."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .component import Component
from .loss import Task


class Metric(Component):
    category: ClassVar[str] = "Metric"
    # Tasks this metric makes sense for; the trainer picks defaults from these.
    tasks: ClassVar[tuple[Task, ...]] = ()
    higher_is_better: ClassVar[bool] = True

    def __call__(self, pred: np.ndarray, target: np.ndarray) -> float:
        raise NotImplementedError
