"""Output files given with -o are checked before any work: a folder or a missing folder is named."""

from __future__ import annotations

import pytest

from desktop_app.cli.errors import CliError
from desktop_app.cli.outputs import check_output_file
from desktop_app.fileio import save_weights_npz
from desktop_app.plugin_system import current_registry
from desktop_app.project import build_model, example_path, load_project

from .cli_run import main_error


def test_a_folder_or_a_missing_folder_is_refused(tmp_path):
    (tmp_path / "dirout").mkdir()
    with pytest.raises(CliError) as caught:
        check_output_file(tmp_path / "dirout")
    assert str(caught.value) == f"-o/--output: {tmp_path / 'dirout'} is a folder; expected a file name"
    with pytest.raises(CliError) as caught:
        check_output_file(tmp_path / "no" / "o.csv", "--out")
    assert str(caught.value) == (f"--out: cannot write {tmp_path / 'no' / 'o.csv'}: the folder "
                                 f"{tmp_path / 'no'} does not exist")
    check_output_file(tmp_path / "o.csv")
    check_output_file(tmp_path / "dirout" / "o.csv")


def test_export_to_a_folder_names_it_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    project = example_path("xor_mlp")
    save_weights_npz(tmp_path / "w.npz", build_model(load_project(project), current_registry()).get_weights())
    (tmp_path / "dirout").mkdir()
    line = main_error(capsys, "export", project, "--weights", "w.npz", "--format", "npz", "-o", "dirout")
    assert line == "error: -o/--output: dirout is a folder; expected a file name"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["dirout", "w.npz"]
    assert list((tmp_path / "dirout").iterdir()) == []


def test_export_names_the_project_file_as_given(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.bps.json").write_text(example_path("xor_mlp").read_text())
    line = main_error(capsys, "export", "p.bps.json", "-o", "m.npz")
    assert line.startswith("error: p.bps.json: the project has no trained weights yet")
