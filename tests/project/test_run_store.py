"""The run store: runs kept whole in folders of their own, read back, renamed, deleted; the flat
setting names that tables, diffs and sweeps use."""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktop_app.engine.callbacks import EpochEvent, History
from desktop_app.engine.divergence import Divergence
from desktop_app.project import example_path, load_project
from desktop_app.project.run_store import (
    NewRun,
    best_value,
    delete_run,
    keep_run,
    list_runs,
    read_run,
    remove_leftovers,
    run_status,
    set_notes,
)
from desktop_app.project.setting_keys import SettingKeyError, apply_setting, differing, flat_settings


def epoch(number: int, loss: float, val_accuracy: float) -> EpochEvent:
    return EpochEvent(number, 3, loss, {"accuracy": 0.5}, loss + 0.1, {"accuracy": val_accuracy}, 0.01,
                      0.1, 1000.0)


def history() -> History:
    return History([epoch(1, 0.9, 0.6), epoch(2, 0.5, 0.8), epoch(3, 0.4, 0.7)], "completed")


def new_run(weights=None, ended="completed") -> NewRun:
    project = load_project(example_path("xor_mlp"))
    return NewRun(project, history(), ended, started=1_700_000_000.0, seconds=1.5, source="cli",
                  weights=weights, metrics={"accuracy": True},
                  gradient_norms_csv="epoch,hidden\n1,0.5\n2,0.25\n")


def test_each_run_gets_its_own_folder_with_plain_files_and_nothing_is_overwritten(tmp_path):
    first = keep_run(tmp_path, new_run())
    second = keep_run(tmp_path, new_run())
    assert first.folder != second.folder and first.folder.parent == tmp_path
    assert [run.folder for run in list_runs(tmp_path)] == sorted([first.folder, second.folder])
    manifest = json.loads((first.folder / "run.json").read_text())
    assert manifest["status"] == "completed" and manifest["source"] == "cli"
    assert manifest["settings"]["training.optimizer.learning_rate"] == 0.05
    assert manifest["health"] == {"divergence": None, "hints": None}  # no monitor watched it
    assert manifest["best"] == {"name": "val_accuracy", "value": 0.8, "epoch": 2, "higher_is_better": True}
    assert load_project(first.folder / "project.bps.json").training.epochs == 60
    assert first.history()["loss"] == [0.9, 0.5, 0.4]
    assert first.gradient_norms() == {"epoch": [1.0, 2.0], "hidden": [0.5, 0.25]}
    assert first.weights_path is None  # a run without weights (failed) has no weights file


def test_weights_are_kept_with_their_preprocessing_record(tmp_path):
    from desktop_app.data.preprocess import Scaler
    from desktop_app.project.weights import Preprocessing

    run = new_run({"dense/kernel": np.ones((2, 3))})
    run.preprocessing = Preprocessing(Scaler.from_arrays({"offset": np.zeros(2), "scale": np.ones(2)}, "t"),
                                      ("a", "b"), "xor")
    kept = keep_run(tmp_path, run)
    assert np.load(kept.weights_path)["dense/kernel"].shape == (2, 3)
    assert (kept.folder / "weights.data.json").is_file()


def test_rename_note_and_delete(tmp_path):
    kept = keep_run(tmp_path, new_run())
    renamed = set_notes(kept, name="  wide  ", note="lr too high?")
    assert read_run(kept.folder).label == "wide" and read_run(kept.folder).notes["note"] == "lr too high?"
    delete_run(renamed)
    assert list_runs(tmp_path) == [] and list(tmp_path.iterdir()) == []


def test_hidden_leftovers_of_an_interrupted_write_are_never_listed_and_are_removed(tmp_path):
    kept = keep_run(tmp_path, new_run())
    half = tmp_path / ".20261205-000000-abcd.tmp"
    half.mkdir()
    (half / "history.csv").write_text("epoch\n")
    (tmp_path / "not-a-run").mkdir()
    assert [run.folder for run in list_runs(tmp_path)] == [kept.folder]
    remove_leftovers(tmp_path)
    assert not half.exists()


@pytest.mark.parametrize(("ended", "diverged", "status"), [
    ("completed", False, "completed"), ("early_stopping", False, "completed"), ("stopped", False, "stopped"),
    ("non_finite", False, "diverged"), ("completed", True, "diverged"), ("error", False, "failed")])
def test_status(ended, diverged, status):
    run_history = history()
    if diverged:
        run_history.divergence = Divergence(epoch=2, loss=9.0, best=0.5)
    assert run_status(ended, run_history) == status


def test_best_value_follows_the_metric_direction_and_falls_back_to_the_loss():
    assert best_value(history(), {"accuracy": True})["value"] == 0.8
    assert best_value(history(), {})["name"] == "val_loss"
    assert best_value(History(), {}) is None


def test_setting_names_round_trip_and_diff():
    data = load_project(example_path("spiral_mlp")).to_json()
    flat = flat_settings(data)
    assert flat["training.optimizer.learning_rate"] == 0.01 and flat["model.hidden_1.units"] == 32
    changed = json.loads(json.dumps(data))
    apply_setting(changed, "training.optimizer.learning_rate", 0.1)
    apply_setting(changed, "training.batch_size", 64)
    apply_setting(changed, "model.hidden_1.units", 8)
    apply_setting(changed, "dataset.noise", 0.1)
    assert differing([flat, flat_settings(changed)]) == [
        "training.optimizer.learning_rate", "training.batch_size", "dataset.noise", "model.hidden_1.units"]
    assert differing([flat, flat]) == []
    with pytest.raises(SettingKeyError, match="'training.learning_rate' is not a setting of the project"):
        apply_setting(changed, "training.learning_rate", 1)
