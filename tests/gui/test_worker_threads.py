"""Worker threads and the window: one garbage-collection policy for all of them, a training thread
that starts from the event loop, and one clock for the training part's rate limits."""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QTimer

from desktop_app.gui.background import Task
from desktop_app.gui.collector import GuiThreadCollector
from tests.gui.runs import WAIT, example


@pytest.fixture
def collector(qtbot) -> GuiThreadCollector:
    """The application's collector, once the workers of earlier tests have all been let go."""
    collector = GuiThreadCollector.of_app()
    qtbot.waitUntil(lambda: not collector.active, timeout=WAIT)
    assert gc.isenabled()
    return collector


def test_two_workers_share_one_policy(collector):
    collector.hold()
    collector.hold()
    collector.release()
    assert not gc.isenabled()  # the other worker still runs
    collector.release()
    assert gc.isenabled() and not collector.active


def test_a_release_from_the_worker_thread_ends_the_policy_on_the_gui_thread(collector, qtbot):
    collector.hold()
    worker = threading.Thread(target=collector.release)
    worker.start()
    worker.join()
    assert not gc.isenabled()  # not switched back from the worker's thread
    qtbot.waitUntil(lambda: gc.isenabled() and not collector.active, timeout=WAIT)


def test_a_background_task_runs_without_automatic_collection(collector, qtbot):
    """The pool thread must not be the one that collects (it would finalize Qt objects there)."""
    task = Task(gc.isenabled)
    with qtbot.waitSignal(task.finished, timeout=WAIT) as finished:
        task.start()
    assert finished.args[1] is False
    qtbot.waitUntil(gc.isenabled, timeout=WAIT)


def test_train_processes_no_events_inside_start(make_window, qtbot):
    """The thread starts from a zero-delay timer once the window is laid out: an event waiting
    when Train is pressed (a second click, a close) is handled after ``start()`` returned."""
    window = make_window(example("xor_mlp", epochs=2))
    controller = window.training.controller
    handled = []
    QTimer.singleShot(0, lambda: handled.append(controller._thread is None))
    window.training.train.trigger()
    assert handled == [] and controller.state == "running"
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=WAIT)
    assert handled == [True]  # before the thread started
    assert controller.last_result.reason == "completed"


def test_a_close_before_the_thread_started_starts_no_thread(make_window, qtbot, dialogs):
    window = make_window(example("spiral_mlp", epochs=100_000))
    controller = window.training.controller
    window.training.train.trigger()
    window.close()  # the zero-delay launch has not run yet
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=WAIT)
    qtbot.wait(50)
    assert controller._thread is None and not window.isVisible()


def test_the_training_part_reads_one_clock(make_window):
    ui = make_window().training
    assert ui.controller.bridge.clock is ui.progress.clock is ui.plots.curves.clock
