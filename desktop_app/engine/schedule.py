"""The learning-rate Schedule contract: the rate for a given optimizer step."""

from __future__ import annotations

from typing import ClassVar

from .component import Component


class Schedule(Component):
    category: ClassVar[str] = "Schedule"

    def rate(self, base_lr: float, step: int, steps_per_epoch: int, total_steps: int) -> float:
        """Learning rate for 0-based optimizer ``step`` out of ``total_steps``."""
        raise NotImplementedError
