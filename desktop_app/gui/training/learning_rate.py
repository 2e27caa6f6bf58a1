"""The toolbar's learning rate: the project's optimizer learning rate, shown and edited in place.

It is the same number as the Training inspector's, in the same notation (``1e-07``, never a
greyed ``0.000000``), before, during and after a run. A change is an undoable edit of the project;
during a run the window also hands it to the running optimizer (from the next batch).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from ...engine.schema import ParamSpec
from ...registry import Registry
from ..forms.editors import FloatEditor

NO_RATE = ParamSpec("learning_rate", "float", 0.0, minimum=0.0)
TIP = ("The optimizer's learning rate (the project's, as in the Training inspector); "
       "changed during a run, it applies from the next batch")


def learning_rate_spec(registry: Registry, training: dict[str, Any]) -> ParamSpec | None:
    """The ``learning_rate`` parameter of the project's optimizer, or None when it has none."""
    optimizer = training.get("optimizer") or {}
    cls = registry.optimizers.get(optimizer.get("type", ""))
    if cls is None:
        return None
    return next((spec for spec in cls.schema if spec.name == "learning_rate"), None)


class LearningRateBox(FloatEditor):
    """Emits ``committed(value)`` when the user sets a rate; ``show_training`` follows the project."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(NO_RATE, parent)
        self.setObjectName("live_learning_rate")
        self.setMaximumWidth(110)
        self.setToolTip(TIP)

    def show_training(self, registry: Registry, training: dict[str, Any]) -> None:
        """Show the learning rate of the project's ``training`` section (its default when unset)."""
        spec = learning_rate_spec(registry, training)
        self.setEnabled(spec is not None)
        if spec is None:
            self.setText("")
            self.setToolTip("The project's optimizer has no learning rate")
            return
        self.setToolTip(TIP)
        self.set_spec(spec)
        config = (training.get("optimizer") or {}).get("config") or {}
        self.set_value(config.get("learning_rate", spec.default))
