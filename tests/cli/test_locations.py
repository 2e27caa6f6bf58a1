"""Where a project's runs are kept: beside the project, unless that folder is the installed
package's or cannot be written (root can write anywhere, so that case is simulated); then in the
user's data folder, in a folder of the project's own (before the run store they went to the
current folder, where the window could not find them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop_app.cli.locations import project_file
from desktop_app.project import example_path, load_project, run_store
from desktop_app.project.run_store import runs_root, unsaved_root


def copy_of_example(folder: Path) -> Path:
    path = folder / "my.bps.json"
    path.write_bytes(example_path("xor_mlp").read_bytes())
    return path


def test_a_project_in_a_writable_folder_runs_beside_itself(tmp_path):
    assert runs_root(load_project(copy_of_example(tmp_path))) == tmp_path / "runs" / "my"


def test_a_shipped_example_runs_under_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(tmp_path / "data"))
    assert runs_root(load_project(example_path("spiral_mlp"))) == tmp_path / "data" / "runs" / "spiral_mlp"
    assert project_file("spiral_mlp") == example_path("spiral_mlp")


def test_a_folder_that_cannot_be_written_sends_runs_to_a_folder_of_the_projects_own(tmp_path, monkeypatch):
    """Named by the file and a key of its absolute path: two read-only ``my.bps.json`` (until this
    change both kept their runs in ``<data>/runs/my/``) never share one."""
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(tmp_path / "data"))
    project = load_project(copy_of_example(tmp_path))
    monkeypatch.setattr(run_store.os, "access", lambda path, mode: Path(path) != tmp_path)
    root = runs_root(project)
    assert root.parent == tmp_path / "data" / "runs" and re.fullmatch(r"my-[0-9a-f]{8}", root.name)
    assert runs_root(load_project(project.path)) == root


def test_an_unsaved_project_runs_under_the_data_folder_by_its_name_and_its_windows_key(tmp_path,
                                                                                      monkeypatch):
    """(Until this change every unsaved project of one name shared ``<data>/runs/<name>/``.)"""
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(tmp_path / "data"))
    assert unsaved_root("My net: v2", "1a2b") == tmp_path / "data" / "runs" / "unsaved" / "My_net__v2-1a2b"
    project = load_project(example_path("xor_mlp"))
    project.path = None
    with pytest.raises(ValueError, match="never saved"):
        runs_root(project)
