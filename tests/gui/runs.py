"""Training runs driven through the window's own actions, shared by the window tests."""

from __future__ import annotations

from desktop_app.project import example_path, load_project

WAIT = 20_000  # ms: generous for a loaded machine; the runs themselves take well under a second


def example(name: str, epochs: int, **training):
    """A shipped example with ``epochs`` (and any other training setting) changed."""
    project = load_project(example_path(name))
    project.training.epochs = epochs
    for key, value in training.items():
        setattr(project.training, key, value)
    return project


def train_to_end(qtbot, window) -> None:
    """Press Train and wait until the run is over (whatever the outcome)."""
    ui = window.training
    assert ui.train.isEnabled()
    ui.train.trigger()
    assert ui.controller.state == "running"
    qtbot.waitUntil(lambda: ui.controller.state == "idle", timeout=WAIT)


def start_long_run(qtbot, window):
    """Start a run far longer than the test and wait for its first batches to arrive."""
    controller = window.training.controller
    with qtbot.waitSignal(controller.progressed, timeout=WAIT):
        window.training.train.trigger()
    return controller


def stop_and_wait(qtbot, window) -> None:
    window.training.stop.trigger()
    qtbot.waitUntil(lambda: window.training.controller.state == "idle", timeout=WAIT)
