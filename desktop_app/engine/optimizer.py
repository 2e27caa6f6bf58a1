"""The Optimizer contract: update parameters in place from their gradients.

Shared by every optimizer, so a plugin's gets them too: L2 weight decay (``weight_decay``, added to
the gradient; AdamW overrides this with decoupled decay) and clipping by global gradient norm
(``clip_norm``, 0 = off). Subclasses implement ``update`` for one parameter and keep their slots
(momentum, moments) in ``self.slots[name]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from .component import Component
from .schema import ParamSpec, schema

BASE_SCHEMA = schema(
    ParamSpec("learning_rate", "float", 0.01,
              "how far each update moves the weights: larger learns faster but may diverge", minimum=0.0),
    ParamSpec("weight_decay", "float", 0.0,
              "pulls every weight a little towards zero at each step (an L2 penalty); 0: off", minimum=0.0),
    ParamSpec("clip_norm", "float", 0.0, "scales the gradients down when their overall size (global norm) "
              "exceeds this, against runaway steps; 0: off", minimum=0.0),
)


class Optimizer(Component):
    category: ClassVar[str] = "Optimizer"
    schema = BASE_SCHEMA
    # AdamW sets this False: its decay is applied to the weights, not added to the gradient.
    couples_weight_decay: ClassVar[bool] = True

    def __init__(self, **config) -> None:
        super().__init__(**config)
        self.slots: dict[str, dict[str, np.ndarray]] = {}
        self.iterations = 0

    def step(
        self,
        params: Mapping[str, np.ndarray],
        grads: Mapping[str, np.ndarray],
        lr: float,
        global_norm: float | None = None,
    ) -> None:
        """Apply one update to every parameter in place. ``global_norm`` saves recomputing it."""
        self.iterations += 1
        scale = self._clip_scale(grads, global_norm)
        decay = self.config["weight_decay"] if self.couples_weight_decay else 0.0
        for name, param in params.items():
            grad = grads[name]
            if scale != 1.0:
                grad = grad * param.dtype.type(scale)
            if decay:
                grad = grad + param.dtype.type(decay) * param
            slots = self.slots.get(name)
            if slots is None:
                slots = self.slots[name] = self.init_slots(param)
            self.update(param, grad, slots, lr)

    def _clip_scale(self, grads: Mapping[str, np.ndarray], global_norm: float | None) -> float:
        limit = self.config["clip_norm"]
        if not limit:
            return 1.0
        if global_norm is None:
            global_norm = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))
        return limit / global_norm if global_norm > limit else 1.0

    def init_slots(self, param: np.ndarray) -> dict[str, np.ndarray]:
        """Per-parameter state (zeros like ``param``), created on first use."""
        return {}

    def update(self, param: np.ndarray, grad: np.ndarray, slots: dict[str, np.ndarray], lr: float) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        """Forget momentum and moments (after the weights were re-initialized)."""
        self.slots.clear()
        self.iterations = 0
