"""What a health rule hands back: a hint in plain words, why it happens, and the fix it suggests."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

# The fixes a hint can suggest; gui/health/fixes.py turns each into one undoable project edit.
FixAction = Literal[
    "scale_learning_rate",  # multiply the optimizer's learning rate by ``factor``
    "he_init",  # He initialization and a zero bias for ``nodes`` (the layers before dead ReLUs)
    "output_init",  # the default initialization (Glorot, zero bias) for the output layer ``nodes``
    "insert_batchnorm",  # a BatchNormalization after each of ``nodes``
    "clip_gradients",  # clip the global gradient norm at ``value``
    "replace_with_relu",  # make the sigmoid/tanh ``nodes`` ReLUs (He init for the layers before)
    "regularize",  # early stopping if off, else L2 weight decay if off, else dropout before ``nodes``
]


@dataclass(frozen=True)
class Fix:
    action: FixAction
    nodes: tuple[str, ...] = ()
    # the factor of scale_learning_rate, the limit of clip_gradients
    value: float | None = None


@dataclass(frozen=True)
class Hint:
    """One finding. ``nodes`` are the layers it is about (the canvas badges them); ``figure`` is the
    measurement that fired the rule, as the title and Why quote it."""

    rule: str
    title: str
    why: str
    nodes: tuple[str, ...] = ()
    fix: Fix | None = None
    figure: float | None = None

    def line(self) -> str:
        """The hint as one line (the CLI's ``warning:`` lines)."""
        where = f" [{', '.join(self.nodes)}]" if self.nodes else ""
        return f"{self.title}{where}"

    def to_json(self) -> dict[str, Any]:
        fix = None if self.fix is None else {
            "action": self.fix.action, "nodes": list(self.fix.nodes), "value": self.fix.value}
        figure = self.figure if self.figure is not None and math.isfinite(self.figure) else None
        return {"rule": self.rule, "title": self.title, "why": self.why, "nodes": list(self.nodes),
                "figure": figure, "fix": fix}
