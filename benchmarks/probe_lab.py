"""How fast does the probe lab follow a drawing? (a measurement, never a test)

The digits CNN example (trained for a few epochs first, in the window, as a user would) is open
with the probe lab on show. A stroke is drawn on the 8x8 board with mouse events; for each move
the time from the event to the lab repainted (the prediction bars, every node's activations,
the board) is measured, and separately the probe itself (scaling, forward pass of every node,
the views' images: ``ProbeLab.update_seconds``). Reports p50 / p95 / max over all moves.
Target: every update under 100 ms.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/probe_lab.py [--strokes N] [--epochs E]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from desktop_app.gui.app import application  # noqa: E402
from desktop_app.gui.main_window import MainWindow  # noqa: E402
from desktop_app.gui.probe_lab.inputs import DRAW  # noqa: E402
from desktop_app.plugin_system import current_registry  # noqa: E402
from desktop_app.project import example_path, load_project  # noqa: E402

EXAMPLE = "digits_cnn"
TARGET_MS = 100.0


def wait_for(app, condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    app = application()
    project = load_project(example_path(EXAMPLE))
    project.training.epochs = args.epochs
    with tempfile.TemporaryDirectory() as folder:
        window = MainWindow(project, QSettings(os.path.join(folder, "s.ini"), QSettings.Format.IniFormat),
                            current_registry(), plugin_infos=list)
        window.resize(1400, 860)
        window.show()
        wait_for(app, lambda: window.designer.dataset.dataset is not None)
        window.training.train.trigger()
        wait_for(app, lambda: window.training.controller.state == "idle")
        lab = window.probe_lab
        lab.open_action.trigger()
        wait_for(app, lambda: lab.on_show and lab.subject is not None)
        lab.inputs.kind.setCurrentText(DRAW)
        board = lab.inputs.board
        rng = np.random.default_rng(0)
        total, probing = [], []
        for _ in range(args.strokes):
            board.clear()
            column = rng.uniform(1.5, 6.5)
            points = [board.cell_centre(row, column + rng.uniform(-0.5, 0.5)).toPoint()
                      for row in np.linspace(1.0, 7.0, 12)]
            QTest.mousePress(board, Qt.MouseButton.LeftButton, pos=points[0])
            for point in points[1:]:
                started = time.perf_counter()
                QTest.mouseMove(board, point)
                lab.repaint()
                total.append(time.perf_counter() - started)
                probing.append(lab.update_seconds)
            QTest.mouseRelease(board, Qt.MouseButton.LeftButton, pos=points[-1])
        window.training.shutdown()  # not close(): it would ask whether to save the trained weights
    print(f"== {EXAMPLE}, trained {args.epochs} epochs: {len(total)} board updates ({args.strokes} strokes), "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, seconds in (("event to repainted lab", total), ("probe (forward + views)", probing)):
        ms = 1000 * np.asarray(seconds)
        print(f"{name}: p50 {np.percentile(ms, 50):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms, "
              f"max {ms.max():.1f} ms (target < {TARGET_MS:.0f})")


if __name__ == "__main__":
    main()
