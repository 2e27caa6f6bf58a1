"""``backprop-studio lr-find`` and ``check`` end to end: the suggestion and its CSV curve, the
sanity checks' verdicts, and one clear line for bad input with nothing written."""

from __future__ import annotations

import csv
import json
import math

from desktop_app.engine.lr_range import STEPS
from desktop_app.project import example_path

from .cli_run import assert_one_line_error, run_cli


def test_lr_find_prints_a_suggestion_and_writes_the_curve(tmp_path):
    result = run_cli("lr-find", "spiral_mlp", home=tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    suggestion = float(result.stdout.split("suggested learning rate: ")[1].split()[0])
    with open(tmp_path / "spiral_mlp.lr-range.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["step", "learning_rate", "loss", "smoothed_loss"]
    assert 10 <= len(rows) <= STEPS and float(rows[0]["learning_rate"]) == 1e-7
    rates = [float(row["learning_rate"]) for row in rows]
    assert rates == sorted(rates) and min(rates) < suggestion < max(rates)
    assert all(math.isfinite(float(row[key])) for row in rows for key in ("loss", "smoothed_loss"))


def test_lr_find_refuses_an_output_it_cannot_or_must_not_write(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a,b,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n" * 5)
    project = json.loads(example_path("xor_mlp").read_text())
    project["dataset"] = {"type": "csv", "options": {"path": "data.csv", "target": "label"},
                          "scaling": "none", "one_hot": False}
    path = tmp_path / "xor.bps.json"
    path.write_text(json.dumps(project))
    result = run_cli("lr-find", path, "-o", data, home=tmp_path)
    assert_one_line_error(result, "-o/--output", "the dataset's file", "which this command reads")
    assert data.read_text().startswith("a,b,label\n")
    assert_one_line_error(run_cli("lr-find", path, "-o", tmp_path / "missing" / "c.csv", home=tmp_path),
                          "-o/--output", "the folder", "does not exist")
    assert_one_line_error(run_cli("lr-find", path, "-o", tmp_path / "c.txt", home=tmp_path),
                          "-o/--output must end in .csv. Received: c.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "xor.bps.json"]


def test_check_passes_a_shipped_example(tmp_path):
    result = run_cli("check", "digits_cnn", home=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("loss at initialization") and ": ok, expected about 2.303 (ln C)" in lines[0]
    assert lines[1].startswith("overfit 20 samples: loss") and lines[1].endswith("ok, near zero")
    assert lines[2] == "ok: both checks pass"


def test_check_fails_a_network_that_cannot_learn(tmp_path):
    project = json.loads(example_path("spiral_mlp").read_text())
    project["training"]["optimizer"] = {"type": "sgd", "config": {"learning_rate": 0.0}}
    path = tmp_path / "frozen.bps.json"
    path.write_text(json.dumps(project))
    result = run_cli("check", path, home=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "FAILED, not near zero" in result.stdout and result.stdout.endswith("FAILED: see above\n")


def test_a_negative_seed_is_one_line(tmp_path):
    for command in ("check", "lr-find"):
        assert_one_line_error(run_cli(command, "xor_mlp", "--seed", "-1", home=tmp_path, cwd=tmp_path),
                              "--seed must be at least 0")
