"""``backprop-studio train``'s progress bar, as a terminal shows it (the last frame stays on screen)."""

from __future__ import annotations

import csv
import re

from desktop_app.project import example_path, load_project, save_project

from .cli_run import run_cli


def last_frame(stderr: str) -> str:
    """What the terminal shows at the end: tqdm redraws its line after each carriage return."""
    frames = [frame for frame in re.split(r"[\r\n]", stderr) if frame.strip()]
    return frames[-1]


def test_the_last_frame_shows_the_last_epochs_metrics(tmp_path):
    project = load_project(example_path("xor_mlp"))
    project.training.epochs = 3
    save_project(project, tmp_path / "xor.bps.json")
    result = run_cli("train", tmp_path / "xor.bps.json", "--out", tmp_path / "run", home=tmp_path)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "run" / "history.csv", newline="") as handle:
        *_, before, last = csv.DictReader(handle)
    assert float(before["val_loss"]) != float(last["val_loss"])
    frame = last_frame(result.stderr)
    assert frame.startswith("epoch 3/3") and "batch" in frame, frame
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert f" {name} {float(last[name]):.4f}" in frame, (name, frame)
