"""How a run ended is said in words on the summary line (CLI ``train``, and the window's status
bar and log, which share it): 'stopped early', not the engine's identifier 'early_stopping'."""

from __future__ import annotations

from desktop_app.engine.early_stopping import EarlyStopping
from desktop_app.project import example_path, load_project, save_project

from .cli_run import run_cli


def test_a_run_stopped_early_says_so_in_words(tmp_path):
    project = load_project(example_path("xor_mlp"))
    project.training.epochs = 20
    # no later epoch can improve val_loss by 10: the run stops after patience 1, at epoch 2
    project.training.early_stopping = EarlyStopping(monitor="val_loss", patience=1, min_delta=10.0)
    path = save_project(project, tmp_path / "xor.bps.json")
    result = run_cli("train", path, home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "epoch 2/20 (stopped early, best epoch 1)" in result.stdout
    assert "early_stopping" not in result.stdout
