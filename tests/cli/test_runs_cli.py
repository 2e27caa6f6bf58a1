"""``train`` keeps every run in a folder of its own; ``runs list/show/delete`` and ``train --from``
work on them (subprocesses, as a user runs them)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from desktop_app.fileio import load_weights_npz
from desktop_app.plugin_system import current_registry
from desktop_app.project import RunOverrides, build_run, load_project
from desktop_app.project.run_store import list_runs

from .cli_run import assert_one_line_error, cli_env, run_cli, saved_xor

KILLER = Path(__file__).with_name("save_killer.py")


def trained_run(result) -> str:
    assert result.returncode == 0, result.stderr
    return next(line.removeprefix("run: ") for line in result.stdout.splitlines() if line.startswith("run: "))


def test_every_train_is_kept_and_listed_then_shown_and_deleted(tmp_path):
    saved_xor(tmp_path)
    first = trained_run(run_cli("train", "xor.bps.json", "--quiet", home=tmp_path, cwd=tmp_path))
    second = trained_run(run_cli("train", "xor.bps.json", "--quiet", "--lr", "0.2", "--batch-size", "8",
                                 home=tmp_path, cwd=tmp_path))
    assert first != second and first.startswith("runs/xor/") and second.startswith("runs/xor/")
    for run in (first, second):
        assert sorted(path.name for path in (tmp_path / run).iterdir()) == [
            "gradient_norms.csv", "history.csv", "project.bps.json", "run.json", "weights.data.json",
            "weights.npz"]

    table = run_cli("runs", "list", "xor.bps.json", home=tmp_path, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["RUN", "NAME", "STARTED"]
    assert [line.split()[0] for line in lines[1:3]] == [first, second]
    assert lines[-1] == "(2 run(s) in %s)" % (tmp_path / "runs" / "xor")
    listed = json.loads(run_cli("runs", "list", "xor.bps.json", "--json", home=tmp_path, cwd=tmp_path).stdout)
    assert [row["status"] for row in listed] == ["completed", "completed"]
    assert [row["settings"]["training.optimizer.learning_rate"] for row in listed] == [0.05, 0.2]
    assert [row["settings"]["training.batch_size"] for row in listed] == [16, 8]
    assert listed[0]["best"]["name"] == "val_accuracy" and listed[0]["epochs"] == 2

    shown = run_cli("runs", "show", second, home=tmp_path, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "status        completed" in shown.stdout
    assert "  training.optimizer.learning_rate = 0.2" in shown.stdout.splitlines()

    deleted = run_cli("runs", "delete", first, home=tmp_path, cwd=tmp_path)
    assert deleted.stdout.strip() == f"deleted {first}"
    assert not (tmp_path / first).exists() and (tmp_path / second).is_dir()
    listed = json.loads(run_cli("runs", "list", "xor.bps.json", "--json", home=tmp_path, cwd=tmp_path).stdout)
    assert [row["folder"] for row in listed] == [str(tmp_path / second)]


def test_a_kept_run_records_the_health_hints_train_printed(tmp_path):
    saved_xor(tmp_path, epochs=5)
    result = run_cli("train", "xor.bps.json", "--quiet", "--lr", "1e6", home=tmp_path, cwd=tmp_path)
    printed = [line.removeprefix("warning: ") for line in result.stderr.splitlines()
               if line.startswith("warning: ")]
    manifest = json.loads((tmp_path / trained_run(result) / "run.json").read_text())
    hints = manifest["health"]["hints"]
    assert printed and [hint["rule"] for hint in hints]
    assert "diverging" in [hint["rule"] for hint in hints]
    assert len(hints) == len(printed)
    assert manifest["status"] == "diverged"


def test_train_from_a_run_starts_from_its_weights(tmp_path):
    path = saved_xor(tmp_path)
    first = trained_run(run_cli("train", "xor.bps.json", "--quiet", home=tmp_path, cwd=tmp_path))
    stored = load_weights_npz(tmp_path / first / "weights.npz")
    second = trained_run(run_cli("train", "xor.bps.json", "--quiet", "--from", first, "--epochs", "1",
                                 home=tmp_path, cwd=tmp_path))
    manifest = json.loads((tmp_path / second / "run.json").read_text())
    assert manifest["resumed_from"] == first.split("/")[-1]
    # the same one epoch from the stored weights, in process, gives the CLI's weights exactly
    run = build_run(load_project(path), RunOverrides(epochs=1, weights=stored), registry=current_registry())
    run.fit()
    resumed = load_weights_npz(tmp_path / second / "weights.npz")
    for key, value in run.model.get_weights().items():
        np.testing.assert_array_equal(resumed[key], value)
    fresh = build_run(load_project(path), RunOverrides(epochs=1), registry=current_registry())
    fresh.fit()
    assert any(not np.array_equal(resumed[key], value) for key, value in fresh.model.get_weights().items())


def test_a_shipped_example_keeps_its_runs_in_the_data_folder(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    run = trained_run(run_cli("train", "xor_mlp", "--epochs", "1", "--quiet", home=tmp_path, cwd=work))
    assert run.startswith(str(tmp_path / "data" / "runs" / "xor_mlp") + "/")
    assert list(work.iterdir()) == []
    listed = json.loads(run_cli("runs", "list", "xor_mlp", "--json", home=tmp_path, cwd=work).stdout)
    assert [row["folder"] for row in listed] == [run]


def test_bad_runs_are_named_in_one_line(tmp_path):
    saved_xor(tmp_path)
    assert_one_line_error(run_cli("runs", "show", "nowhere", home=tmp_path, cwd=tmp_path),
                          "RUN: no such run folder: nowhere")
    assert_one_line_error(run_cli("runs", "delete", ".", home=tmp_path, cwd=tmp_path),
                          "RUN: .: not a kept run (no readable run.json with a status)")
    assert_one_line_error(run_cli("train", "xor.bps.json", "--from", "nowhere", home=tmp_path, cwd=tmp_path),
                          "--from: no such run folder: nowhere")
    assert not (tmp_path / "runs").exists()
    empty = run_cli("runs", "list", "xor.bps.json", home=tmp_path, cwd=tmp_path)
    kept_in = tmp_path / "runs" / "xor"
    assert empty.stdout.strip() == f"no runs of xor.bps.json yet (they are kept in {kept_in})"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks")
def test_sigkill_at_any_point_of_keeping_a_run_never_leaves_half_a_run_folder(tmp_path):
    """The save killer (``save_killer.py --store``) kills ``train`` before each file-system call of
    keeping its run: every run folder a listing shows is whole (its files match run.json), there is
    one at most, and the hidden leftovers go with the next run."""
    template = tmp_path / "template"
    template.mkdir()
    saved_xor(template, epochs=1)
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run([sys.executable, KILLER, "xor.bps.json", template, work, "--store"],
                            capture_output=True, text=True, env=cli_env(tmp_path), timeout=300)
    assert result.returncode == 0, result.stderr
    outcomes = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert len(outcomes) >= 10 and list(outcomes.values())[-1] == "exited 0", outcomes
    assert all(outcome == "killed" for outcome in list(outcomes.values())[:-1]), outcomes
    kept = []
    for k in outcomes:
        root = work / k / "runs" / "xor"
        runs = list_runs(root)
        assert len(runs) <= 1, k
        for run in runs:
            for name, digest in run.manifest["files"].items():
                assert hashlib.sha256((run.folder / name).read_bytes()).hexdigest() == digest, (k, name)
        visible = [path for path in root.iterdir() if not path.name.startswith(".")] if root.exists() else []
        assert [path.name for path in visible] == [run.id for run in runs], k  # nothing half-written on show
        kept.append(len(runs))
    assert kept[0] == 0 and kept[-1] == 1 and kept == sorted(kept)  # no run, then the whole run
    last_killed = work / list(outcomes)[-2]
    assert run_cli("train", last_killed / "xor.bps.json", "--quiet", home=tmp_path).returncode == 0
    assert [path for path in (last_killed / "runs" / "xor").iterdir() if path.name.startswith(".")] == []


def test_report_writes_one_self_contained_page_with_the_plots(tmp_path):
    saved_xor(tmp_path)
    first = trained_run(run_cli("train", "xor.bps.json", "--quiet", home=tmp_path, cwd=tmp_path))
    second = trained_run(run_cli("train", "xor.bps.json", "--quiet", "--batch-size", "8", home=tmp_path,
                                 cwd=tmp_path))
    result = run_cli("report", second, first, "-o", "page.html", home=tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wrote page.html (2 run(s))"
    page = (tmp_path / "page.html").read_text()
    images = re.findall(r"src='data:image/png;base64,([^']+)'", page)
    assert len(images) == 3 and all(base64.b64decode(data).startswith(b"\x89PNG") for data in images)
    assert page.index(first.split("/")[-1]) < page.index(second.split("/")[-1])  # oldest first
    assert "<td>training.batch_size</td><td>16</td><td>8</td>" in page
    one = run_cli("report", first, "-o", "one.html", home=tmp_path, cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    assert "<h2>Settings</h2>" in (tmp_path / "one.html").read_text()
    assert_one_line_error(run_cli("report", first, "-o", f"{first}/history.csv", home=tmp_path, cwd=tmp_path),
                          "that is one of the files of the training run")


def test_the_run_an_older_train_left_in_runs_name_is_still_found_by_predict(tmp_path):
    """Before every run was kept, ``train`` replaced its files in runs/<name>/ itself (as --out does)."""
    saved_xor(tmp_path)
    old = run_cli("train", "xor.bps.json", "--quiet", "--out", "runs/xor", home=tmp_path, cwd=tmp_path)
    assert old.returncode == 0, old.stderr
    (tmp_path / "in.csv").write_text("0.9,0.8\n")
    predict = run_cli("predict", "xor.bps.json", "in.csv", "-o", "out.csv", home=tmp_path, cwd=tmp_path)
    assert predict.returncode == 0, predict.stderr
    assert predict.stdout.startswith("weights: runs/xor/weights.npz (the latest run of xor.bps.json;")
    listed = run_cli("runs", "list", "xor.bps.json", home=tmp_path, cwd=tmp_path)
    assert listed.stdout.startswith("no runs of xor.bps.json yet")  # not a kept run: no snapshot, no status


def test_a_damaged_run_json_is_one_broken_line_of_runs_list_and_runs_delete_removes_it(tmp_path):
    """Until this change ``runs list`` left such a run out without a word."""
    saved_xor(tmp_path, epochs=1)
    good = trained_run(run_cli("train", "xor.bps.json", "--quiet", home=tmp_path, cwd=tmp_path))
    damaged = trained_run(run_cli("train", "xor.bps.json", "--quiet", home=tmp_path, cwd=tmp_path))
    (tmp_path / damaged / "run.json").write_text('{"status": "completed",')
    listed = run_cli("runs", "list", "xor.bps.json", home=tmp_path, cwd=tmp_path)
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 4 and lines[1].startswith(good) and lines[-1].startswith("(2 run(s) in ")
    assert lines[2].startswith(f"broken: {tmp_path / damaged}: not a kept run")
    assert "run.json is not valid JSON" in lines[2] and lines[2].endswith("('runs delete' removes it)")
    as_json = json.loads(run_cli("runs", "list", "xor.bps.json", "--json", home=tmp_path,
                                 cwd=tmp_path).stdout)
    assert [row["status"] for row in as_json] == ["completed", "broken"] and as_json[1]["problem"]
    assert_one_line_error(run_cli("runs", "show", damaged, home=tmp_path, cwd=tmp_path),
                          f"RUN: {damaged}: not a kept run", "run.json is not valid JSON")
    deleted = run_cli("runs", "delete", damaged, home=tmp_path, cwd=tmp_path)
    assert deleted.returncode == 0, deleted.stderr
    assert not (tmp_path / damaged).exists() and (tmp_path / good).is_dir()
    (tmp_path / "mine").mkdir()
    assert_one_line_error(run_cli("runs", "delete", "mine", home=tmp_path, cwd=tmp_path),
                          "RUN: mine: not a kept run")  # a folder that is no run is never deleted
    assert (tmp_path / "mine").is_dir()


def test_runs_stay_listed_when_the_user_moves_the_projects_folder(tmp_path):
    """Until this change a run was listed only for the absolute path it was trained at."""
    before = tmp_path / "before"
    before.mkdir()
    saved_xor(before, epochs=1)
    run = trained_run(run_cli("train", "xor.bps.json", "--quiet", home=tmp_path, cwd=before))
    after = tmp_path / "after"
    before.rename(after)
    listed = json.loads(run_cli("runs", "list", after / "xor.bps.json", "--json", home=tmp_path).stdout)
    assert [row["folder"] for row in listed] == [str(after / run)]


def test_a_run_whose_curves_were_damaged_is_broken_in_runs_list_and_refused_by_report(tmp_path):
    """Until this change ``runs list`` showed it as whole and ``report`` (and the panel's plots)
    failed on the first cell that is not a number."""
    saved_xor(tmp_path, epochs=1)
    run = trained_run(run_cli("train", "xor.bps.json", "--quiet", home=tmp_path, cwd=tmp_path))
    history = tmp_path / run / "history.csv"
    history.write_text(history.read_text().replace("\n1,", "\n1x,", 1))
    listed = run_cli("runs", "list", "xor.bps.json", home=tmp_path, cwd=tmp_path)
    assert listed.stdout.splitlines()[0] == (
        f"broken: {tmp_path / run}: a damaged run: history.csv is not the file its run.json records "
        "(changed or damaged since the run) ('runs delete' removes it)")
    assert_one_line_error(run_cli("report", run, "-o", "page.html", home=tmp_path, cwd=tmp_path),
                          f"RUN: {run}: a damaged run: history.csv is not the file")
    assert not (tmp_path / "page.html").exists()
