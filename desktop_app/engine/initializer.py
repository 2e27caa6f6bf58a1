"""The Initializer contract: fill a new parameter array, given its fan-in and fan-out."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .component import Component


class Initializer(Component):
    category: ClassVar[str] = "Initializer"

    def __call__(
        self, shape: tuple[int, ...], fan_in: int, fan_out: int, rng: np.random.Generator
    ) -> np.ndarray:
        raise NotImplementedError
