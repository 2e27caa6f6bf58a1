"""``train`` reports the run's health: warning: lines after a run, or --health json for scripts."""

from __future__ import annotations

import json

from desktop_app.project import example_path

from .cli_run import run_cli


def test_a_too_low_learning_rate_is_a_warning_line_with_its_layer_figures_in_json(tmp_path):
    args = ("train", example_path("xor_mlp"), "--lr", 1e-9, "--quiet")
    result = run_cli(*args, "--out", tmp_path / "a", home=tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert any("the learning rate looks too low" in line for line in warnings)
    # and what follows from it over 60 epochs: no progress
    assert any("accuracy is still near chance" in line for line in warnings)
    result = run_cli(*args, "--out", tmp_path / "b", "--health", "json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)  # nothing else on stdout
    assert [hint["rule"] for hint in document["hints"]] == ["learning_rate_low", "no_learning"]
    assert document["hints"][0]["fix"] == {"action": "scale_learning_rate", "nodes": [], "value": 10.0}
    layers = {layer["node"]: layer for layer in document["figures"]["layers"]}
    assert layers["hidden"]["kind"] == "weights" and layers["tanh"]["kind"] == "squashing"
    assert len(layers["hidden"]["update_ratio"]) == len(document["figures"]["steps"]) > 1
    assert all(ratio < 1e-5 for ratio in layers["hidden"]["update_ratio"])
    assert "weights: " in result.stderr and "warning" not in result.stderr


def test_a_healthy_example_prints_no_warning(tmp_path):
    result = run_cli("train", example_path("digits_cnn"), "--epochs", 2, "--quiet", "--out", tmp_path / "o",
                     home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr


def test_a_non_finite_run_writes_its_json_document_beside_its_one_error_line(tmp_path):
    result = run_cli("train", example_path("sine_regression"), "--lr", 1e30, "--quiet", "--health", "json",
                     "--out", tmp_path / "o", home=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "non-finite" in line
    [hint] = json.loads(result.stdout)["hints"]
    assert hint["rule"] == "diverging" and "non-finite" in hint["title"]
