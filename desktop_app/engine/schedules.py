"""The built-in learning-rate schedules: the rate for each 0-based optimizer step.

Epoch-based schedules count whole epochs, ``epoch = step // steps_per_epoch``, so the rate
changes on epoch boundaries; the cosine schedule moves every step.
"""

from __future__ import annotations

import math

from .schedule import Schedule
from .schema import ParamSpec, schema


class Constant(Schedule):
    type_name = "constant"
    description = "The optimizer's learning rate, unchanged for the whole run."

    def rate(self, base_lr: float, step: int, steps_per_epoch: int, total_steps: int) -> float:
        return base_lr


class StepDecay(Schedule):
    """lr = base_lr * gamma ** (epoch // step_size)."""

    type_name = "step"
    description = "Multiply the learning rate by gamma every step_size epochs."
    schema = schema(
        ParamSpec("step_size", "int", 10, "epochs between decays", minimum=1),
        ParamSpec("gamma", "float", 0.1, "the learning rate is multiplied by this at each decay",
                  minimum=0.0, maximum=1.0),
    )

    def rate(self, base_lr: float, step: int, steps_per_epoch: int, total_steps: int) -> float:
        epoch = step // max(steps_per_epoch, 1)
        return base_lr * self.config["gamma"] ** (epoch // self.config["step_size"])


class ExponentialDecay(Schedule):
    """lr = base_lr * gamma ** epoch."""

    type_name = "exponential"
    description = "Multiply the learning rate by gamma after every epoch."
    schema = schema(
        ParamSpec("gamma", "float", 0.95, "the learning rate is multiplied by this after every epoch",
                  minimum=0.0, maximum=1.0),
    )

    def rate(self, base_lr: float, step: int, steps_per_epoch: int, total_steps: int) -> float:
        return base_lr * self.config["gamma"] ** (step // max(steps_per_epoch, 1))


class CosineDecay(Schedule):
    """Linear warm-up, then a half cosine from ``base_lr`` down to ``min_lr`` at ``total_steps``.

    With ``w`` warm-up steps (``warmup_epochs * steps_per_epoch`` rounded half to even, Python's
    ``round``): step ``s < w`` gets ``base_lr * (s + 1) / w``, so the first step already trains at
    ``base_lr / w``, not 0. Later steps get ``min_lr + (base_lr - min_lr) * (1 + cos(pi * p)) / 2``
    with ``p = (s - w) / (total_steps - w)`` capped at 1: ``min_lr`` is reached at step
    ``total_steps``, one after the last, so the last step's rate is still a little above it.
    """

    type_name = "cosine"
    description = "Linear warm-up, then cosine annealing to a minimum learning rate."
    schema = schema(
        ParamSpec("warmup_epochs", "float", 0.0,
                  "epochs of linear warm-up, from base_lr / warm-up steps up to base_lr", minimum=0.0),
        ParamSpec("min_lr", "float", 0.0, "learning rate the cosine reaches one step after the run's last",
                  minimum=0.0),
    )

    def rate(self, base_lr: float, step: int, steps_per_epoch: int, total_steps: int) -> float:
        warmup = round(self.config["warmup_epochs"] * steps_per_epoch)
        if step < warmup:
            return base_lr * (step + 1) / warmup
        progress = min((step - warmup) / max(total_steps - warmup, 1), 1.0)
        min_lr = self.config["min_lr"]
        return min_lr + (base_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))


BUILTIN_SCHEDULES: tuple[type[Schedule], ...] = (Constant, StepDecay, ExponentialDecay, CosineDecay)
