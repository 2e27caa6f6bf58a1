"""The questions before work is dropped: unsaved changes, unsaved trained weights, a running training.

New, Open, Close and Quit ask once, naming everything that would be lost; Save keeps all of it
(a run on is stopped first, its weights kept and saved beside the project), Discard drops it
(stopping the run), Cancel changes nothing. Reset Weights asks before the trained weights go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from .main_window import MainWindow

Button = QMessageBox.StandardButton


def confirm_drop(window: MainWindow, title: str, name: str) -> bool:
    """True when it is fine to drop the current project: nothing would be lost, or the user saved
    or discarded it."""
    controller = window.training.controller
    running = controller.state != "idle"
    weights = controller.unsaved_weights and controller.has_model
    if not (window.document.dirty or weights or running):
        return True
    answer = QMessageBox.question(window, title, _what_would_be_lost(window, name, weights, running),
                                  Button.Save | Button.Discard | Button.Cancel, Button.Save)
    if answer not in (Button.Save, Button.Discard):
        return False
    controller.stop_and_wait()
    if answer == Button.Save:
        return window.save()
    return True


def _what_would_be_lost(window: MainWindow, name: str, weights: bool, running: bool) -> str:
    lines = [f"Save the changes to {name}?" if window.document.dirty else f"Save {name}?"]
    if running:
        lines.append("A training run is on: it stops either way; Save keeps its weights.")
    elif weights:
        lines.append("The trained weights are not saved yet: Save writes them beside the project.")
    return "\n\n".join(lines)


def confirm_reset(window: MainWindow, title: str) -> bool:
    """Reset Weights: True when the user agrees to drop the trained weights."""
    controller = window.training.controller
    if not controller.has_model:
        return True
    if controller.unsaved_weights:
        text = "Reset the weights? The trained weights are not saved and will be lost."
    else:
        text = "Reset the weights? The next run starts from fresh weights (the saved file stays)."
    answer = QMessageBox.question(window, title, text, Button.Reset | Button.Cancel, Button.Cancel)
    return answer == Button.Reset

