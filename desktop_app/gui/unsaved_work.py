"""The questions before work is dropped: unsaved changes, unsaved trained weights, a running training.

New, Open, Close and Quit ask once, naming everything that would be lost; Save keeps all of it
(a run on is stopped first, its weights kept and saved beside the project), Discard drops it
(stopping the run), Cancel changes nothing. Reset Weights asks before the trained weights go.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from .document import ProjectDocument
from .training.controller import TrainingController

Button = QMessageBox.StandardButton


def confirm_drop(parent: QWidget, title: str, name: str, document: ProjectDocument,
                 controller: TrainingController, save: Callable[[], bool]) -> bool:
    """True when it is fine to drop the current project: nothing would be lost, or the user saved
    (with ``save``) or discarded it."""
    running = controller.state != "idle"
    weights = controller.unsaved_weights and controller.has_model
    if not (document.dirty or weights or running):
        return True
    answer = QMessageBox.question(parent, title, _what_would_be_lost(document.dirty, name, weights, running),
                                  Button.Save | Button.Discard | Button.Cancel, Button.Save)
    if answer not in (Button.Save, Button.Discard):
        return False
    controller.stop_and_wait()
    if answer == Button.Save:
        return save()
    return True


def _what_would_be_lost(dirty: bool, name: str, weights: bool, running: bool) -> str:
    lines = [f"Save the changes to {name}?" if dirty else f"Save {name}?"]
    if running:
        lines.append("A training run is on: it stops either way; Save keeps its weights.")
    elif weights:
        lines.append("The trained weights are not saved yet: Save writes them beside the project.")
    return "\n\n".join(lines)


def confirm_reset(parent: QWidget, title: str, controller: TrainingController) -> bool:
    """Reset Weights: True when the user agrees to drop the trained weights."""
    if not controller.has_model:
        return True
    if controller.unsaved_weights:
        text = "Reset the weights? The trained weights are not saved and will be lost."
    else:
        text = "Reset the weights? The next run starts from fresh weights (the saved file stays)."
    answer = QMessageBox.question(parent, title, text, Button.Reset | Button.Cancel, Button.Cancel)
    return answer == Button.Reset
