"""``train`` replaces its output folder's files as one set: killed at any point of the save, an
unwritable name, another project's run in the folder."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import file_set
from desktop_app.cli import main
from desktop_app.file_set import JOURNAL, recover
from desktop_app.fileio import load_weights
from desktop_app.plugin_system import current_registry
from desktop_app.project import example_path, load_project
from desktop_app.project.run_outputs import MANIFEST, RUN_FILES

from .cli_run import assert_one_line_error, cli_env, interrupt_when, run_cli, saved_xor

KILLER = Path(__file__).with_name("save_killer.py")


@pytest.fixture
def project_file(tmp_path):
    return saved_xor(tmp_path)


def run_set(folder: Path) -> dict:
    """The folder's manifest, after checking that every run file is there and matches it."""
    manifest = json.loads((folder / MANIFEST).read_text())
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, (folder, name)
    assert sorted(manifest["files"]) == sorted(set(RUN_FILES) - {MANIFEST})
    return manifest


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks")
def test_sigkill_at_any_point_of_the_save_leaves_the_old_or_the_new_set(project_file, tmp_path):
    old = tmp_path / "old"
    assert run_cli("train", project_file, "--out", old, "--seed", 1, "--quiet", home=tmp_path).returncode == 0
    old_id = run_set(old)["run_id"]
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run([sys.executable, KILLER, project_file, old, work], capture_output=True,
                            text=True, env=cli_env(tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr
    outcomes = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert len(outcomes) >= 20 and list(outcomes.values())[-1] == "exited 0", outcomes
    assert all(outcome == "killed" for outcome in list(outcomes.values())[:-1]), outcomes
    ended_with = []
    for k in outcomes:
        folder = work / k
        if not (folder / JOURNAL).exists():  # no switch under way: the files on show are one set
            run_set(folder)
        load_weights(folder / "weights.npz")  # what predict and export do: finishes a switch
        recover(folder)  # what the next train into the folder does
        manifest = run_set(folder)
        assert sorted(os.listdir(folder)) == sorted(RUN_FILES), (k, os.listdir(folder))
        ended_with.append("old" if manifest["run_id"] == old_id else "new")
    # the kills cover the save from before its first write to after its last rename
    assert ended_with[0] == "old" and ended_with[-1] == "new"
    assert ended_with == sorted(ended_with, key=["old", "new"].index), ended_with


def test_a_folder_where_history_csv_goes_fails_and_keeps_the_old_set(project_file, tmp_path):
    out = tmp_path / "out"
    assert run_cli("train", project_file, "--out", out, "--quiet", home=tmp_path).returncode == 0
    before = {path.name: path.read_bytes() for path in out.iterdir() if path.name != "history.csv"}
    (out / "history.csv").unlink()
    (out / "history.csv").mkdir()
    assert_one_line_error(run_cli("train", project_file, "--out", out, "--quiet", home=tmp_path),
                          f"--out: {out / 'history.csv'} is a folder")
    assert {name: (out / name).read_bytes() for name in before} == before
    assert sorted(os.listdir(out)) == sorted(["history.csv", *before])


def test_a_full_disk_during_the_save_keeps_the_old_set(project_file, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert main(["train", str(project_file), "--out", str(out), "--quiet"]) == 0
    before = {path.name: path.read_bytes() for path in out.iterdir()}

    def disk_full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(file_set, "_write_synced", disk_full)
    capsys.readouterr()
    assert main(["train", str(project_file), "--out", str(out), "--quiet", "--seed", "1"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: --out: cannot write the run's files to {out} (No space left on device); the folder keeps "
        "its previous files"]
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_reusing_a_folder_of_another_project_says_so(project_file, tmp_path, capsys):
    other = tmp_path / "other.bps.json"
    other.write_bytes(project_file.read_bytes())
    out = tmp_path / "out"
    assert main(["train", str(project_file), "--out", str(out), "--quiet"]) == 0
    assert main(["train", str(project_file), "--out", str(out), "--quiet"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert main(["train", str(other), "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"warning: {out} holds a run of another project ({project_file.resolve()}); "
                   "this run replaces it"]
    assert run_set(out)["project"] == str(other.resolve())


def test_sigint_saves_the_last_completed_epoch_and_exits_130(tmp_path):
    """Ctrl-C mid-epoch: the saved weights are those of the epochs in the history, not later ones."""
    out = tmp_path / "out"
    code, _, stderr = interrupt_when(  # once the progress bar reaches the third epoch
        "train", example_path("xor_mlp"), "--epochs", 100_000, "--batch-size", 1, "--out", out, home=tmp_path,
        ready=lambda seen: max(map(int, re.findall(rb"epoch (\d+)/", seen)), default=0) >= 3, timeout=60)
    assert code == 130, stderr.decode()
    manifest = run_set(out)
    epochs = manifest["epochs_completed"]
    assert manifest["ended"] == "stopped" and manifest["weights_epoch"] == epochs >= 2
    assert f"saved the weights of epoch {epochs}, the last completed one".encode() in stderr

    from desktop_app.engine.control import TrainingControl
    from desktop_app.project import RunOverrides, build_run

    class StopAfter:  # the same run, stopped once that many epochs are done
        def on_epoch_end(self, event):
            if event.epoch == epochs:
                control.stop()

    control = TrainingControl()
    run = build_run(load_project(example_path("xor_mlp")), RunOverrides(epochs=100_000, batch_size=1),
                    callbacks=[StopAfter()], control=control, registry=current_registry())
    run.fit()
    saved = load_weights(out / "weights.npz")
    for key, value in run.model.get_weights().items():
        assert (saved[key] == value).all(), key
