"""Why Train cannot start now, in the words its tooltip and the status bar show."""

from __future__ import annotations

from ..designer import Designer

TRAIN_TIP = "Train the network (again: continue from the trained weights)"


def train_blocker(state: str, designer: Designer) -> str:
    """What keeps a run of the project from starting ('' when nothing does)."""
    if state != "idle":
        return "A run is on: stop it (or let it finish) to start another"
    if not designer.document.data["model"]["nodes"]:
        return "Cannot train yet: the network is empty (add layers from the palette)"
    if not designer.graph_valid:
        problems = designer.validation.messages()
        return f"Cannot train yet: {problems[0] if problems else 'the network does not build'}"
    if designer.dataset.failure:
        return f"Cannot train: the dataset could not be loaded: {designer.dataset.failure}"
    if designer.dataset.dataset is None:
        return "Cannot train yet: the dataset is loading"
    return ""
