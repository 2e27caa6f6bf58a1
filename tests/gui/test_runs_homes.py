"""The Runs panel lists the window's project's runs only: two unsaved projects of one name keep
theirs apart, and an unsaved project's runs follow it when it is saved; a damaged run is one row
marked broken; deleting asks, and Enter keeps the runs."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.gui.experiments.panel import COLUMNS, RUN_ROLE
from tests.cli.cli_run import run_cli, saved_xor
from tests.gui.runs import example, train_to_end

REAL_QUESTION = QMessageBox.question  # before the autouse ``dialogs`` fixture replaces it


def unsaved_xor():
    project = example("xor_mlp", epochs=1)
    project.path = project.source = None
    project.name = "Untitled"
    return project


def listed(window) -> list:
    """The runs the window's panel lists, read from its table after a refresh."""
    ui = window.runs
    ui.refresh()
    table = ui.panel.table
    return [table.item(row, 0).data(RUN_ROLE) for row in range(table.rowCount())]


def test_unsaved_projects_of_one_name_keep_their_runs_apart_and_take_them_along_when_saved(
        make_window, qtbot, tmp_path):
    """Until this change both windows listed all three runs, from one ``<data>/runs/Untitled/``."""
    one, two = make_window(unsaved_xor()), make_window(unsaved_xor())
    train_to_end(qtbot, one)
    train_to_end(qtbot, two)
    train_to_end(qtbot, two)
    first = listed(one)
    assert len(first) == 1 and len(listed(two)) == 2
    assert first[0].folder.parent != listed(two)[0].folder.parent

    assert one.save_as(tmp_path / "net.bps.json")
    home = tmp_path / "runs" / "net"
    [moved] = listed(one)
    assert moved.folder == home / first[0].id and moved.manifest == first[0].manifest
    assert not first[0].folder.parent.exists()  # nothing left behind in the data folder
    assert one.runs.panel.place.text() == f"Runs kept in {home}"
    train_to_end(qtbot, one)
    result = run_cli("runs", "list", tmp_path / "net.bps.json", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 2 and {row["folder"] for row in rows} == {str(run.folder) for run in listed(one)}
    assert all(row["folder"].startswith(f"{home}/") for row in rows)
    assert len(listed(two)) == 2


def test_a_damaged_run_is_one_row_marked_broken_and_delete_asks_with_no_as_the_default(
        make_window, qtbot, tmp_path, monkeypatch, dialogs):
    from desktop_app.project import load_project

    window = make_window(load_project(saved_xor(tmp_path, epochs=1)))
    ui, panel = window.runs, window.runs.panel
    train_to_end(qtbot, window)
    train_to_end(qtbot, window)
    good, damaged = listed(window)
    (damaged.folder / "run.json").write_text("not json")
    ui.dock.show()
    good, broken = listed(window)
    assert not good.broken and broken.broken and broken.folder == damaged.folder
    row = next(row for row in range(panel.table.rowCount()) if panel.table.item(row, 0).data(RUN_ROLE).broken)
    status = panel.table.item(row, COLUMNS.index("Status"))
    assert status.text() == "broken" and "run.json is not valid JSON" in status.toolTip()
    panel.select([broken])
    assert panel.buttons["delete"].isEnabled()
    assert not any(panel.buttons[name].isEnabled() for name in ("use", "restore", "rename", "note", "report"))
    panel.select([good, broken])
    assert [run.folder for run in panel.comparison.runs] == [good.folder]

    monkeypatch.setattr(QMessageBox, "question", REAL_QUESTION)
    asked = []

    def press_enter() -> None:  # once the question is up (the click waits for its answer)
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QMessageBox):
            QTimer.singleShot(20, press_enter)
            return
        asked.append(dialog.text())
        QTest.keyClick(dialog, Qt.Key.Key_Return)

    QTimer.singleShot(0, press_enter)
    panel.buttons["delete"].click()
    monkeypatch.setattr(QMessageBox, "question", dialogs.question)  # closing the window may ask
    assert asked and asked[0].startswith("Delete 2 run(s) and all their files?")
    assert good.folder.is_dir() and broken.folder.is_dir() and len(listed(window)) == 2


def test_a_sweeps_runs_follow_an_unsaved_project_saved_while_the_sweep_goes_on(make_window, qtbot, tmp_path):
    """Configs kept before the save move with it; those kept after it, into the folder the sweep
    started with, follow as each is kept."""
    project = example("spiral_mlp", epochs=20)
    project.path = project.source = None
    window = make_window(project)
    dialog = window.runs.show_sweep()
    dialog.axes.item(0, 1).setText("0.001, 0.002, 0.005, 0.01, 0.02")
    assert dialog.start()
    qtbot.waitUntil(lambda: len(dialog.rows) >= 1, timeout=60_000)
    unsaved = window.runs.home()
    assert window.save_as(tmp_path / "spiral.bps.json")
    qtbot.waitUntil(lambda: not dialog.running, timeout=60_000)
    runs = listed(window)
    assert len(runs) == 5 and {run.folder.parent for run in runs} == {tmp_path / "runs" / "spiral"}
    assert {row["run"].rsplit("/", 1)[1] for row in dialog.rows} == {run.id for run in runs}
    assert not unsaved.exists()
