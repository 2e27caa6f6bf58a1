"""An edit of one layer's weights in the window's kept model, on the window's undo stack: undo
writes back the exact arrays the layer held before."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtGui import QUndoCommand

from ...engine.graph import Model
from ...project.probing import set_layer_weights


class WeightEditCommand(QUndoCommand):
    """``before`` and ``after``: the layer's parameters by name; ``applied`` runs after each way."""

    def __init__(self, text: str, model: Model, node: str, before: dict[str, np.ndarray],
                 after: dict[str, np.ndarray], applied: Callable[[], None]) -> None:
        super().__init__(text)
        self._model, self._node = model, node
        self._before, self._after = before, after
        self._applied = applied

    def redo(self) -> None:
        set_layer_weights(self._model, self._node, self._after)
        self._applied()

    def undo(self) -> None:
        set_layer_weights(self._model, self._node, self._before)
        self._applied()
