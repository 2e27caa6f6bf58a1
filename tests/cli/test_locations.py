"""Where a run's results go by default: beside the project, unless that folder is the installed
package's or cannot be written (root can write anywhere, so that case is simulated)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.cli import locations
from desktop_app.cli.locations import project_file, run_folder
from desktop_app.project import example_path


def test_a_project_in_a_writable_folder_runs_beside_itself(tmp_path):
    assert run_folder(tmp_path / "my.bps.json") == tmp_path / "runs" / "my"


def test_a_shipped_example_runs_under_the_current_folder():
    assert run_folder(example_path("spiral_mlp")) == Path("runs") / "spiral_mlp"
    assert project_file("spiral_mlp") == example_path("spiral_mlp")


def test_a_folder_that_cannot_be_written_sends_runs_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(locations.os, "access", lambda path, mode: Path(path) != tmp_path)
    assert run_folder(tmp_path / "my.bps.json") == Path("runs") / "my"
