"""``backprop-studio sweep``: every config trained and kept, one CSV row per config with its values."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .cli_run import assert_one_line_error, run_cli


def test_a_four_config_sweep_of_the_spiral_example_keeps_a_run_and_a_row_per_config(tmp_path):
    result = run_cli("sweep", "spiral_mlp", "--epochs", "2",
                     "--set", "training.optimizer.learning_rate=1e-3,1e-2",
                     "--set", "training.batch_size=32,64",
                     "-o", "results.csv", home=tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "results: results.csv (4 configs)"
    progress = [line.split(":")[0] for line in result.stderr.splitlines()]
    assert progress == [f"config {k}/4" for k in range(1, 5)]
    with open(tmp_path / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["training.optimizer.learning_rate"], row["training.batch_size"]) for row in rows] == [
        ("0.001", "32"), ("0.001", "64"), ("0.01", "32"), ("0.01", "64")]
    for row in rows:
        assert row["status"] == "completed" and row["best_metric"] == "val_accuracy"
        assert 0 <= float(row["best_value"]) <= 1
        manifest = json.loads((Path(row["run"]) / "run.json").read_text())
        assert manifest["source"] == "sweep"
        settings = manifest["settings"]
        assert settings["training.optimizer.learning_rate"] == float(row["training.optimizer.learning_rate"])
        assert settings["training.batch_size"] == int(row["training.batch_size"])
        assert settings["training.epochs"] == 2
    listed = json.loads(run_cli("runs", "list", "spiral_mlp", "--json", home=tmp_path).stdout)
    assert sorted(run["folder"] for run in listed) == sorted(row["run"] for row in rows)


def test_random_draws_some_configs_and_bad_settings_fail_before_training(tmp_path):
    result = run_cli("sweep", "xor_mlp", "--epochs", "1", "--set", "model.hidden.units=2,4,8",
                     "--random", "2", "--quiet", "-o", "r.csv", home=tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "r.csv").read_text().splitlines()) == 3

    def sweep_error(value, fragment):
        result = run_cli("sweep", "xor_mlp", "--set", value, home=tmp_path, cwd=tmp_path)
        assert_one_line_error(result, fragment)

    sweep_error("training.lr=1,2", "'training.lr' is not a setting of the project. Expected one of: "
                "training.loss")
    sweep_error("training.batch_size=8,0", "batch_size=0: $.training.batch_size: 0 is less than the minimum")
    sweep_error("training.batch_size", "--set training.batch_size: expected NAME=VALUE[,VALUE...]")
    listed = json.loads(run_cli("runs", "list", "xor_mlp", "--json", home=tmp_path).stdout)
    assert len(listed) == 2  # the refused sweeps trained nothing
