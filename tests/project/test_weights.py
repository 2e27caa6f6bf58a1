"""Trained weights and their preprocessing record: saved side by side, read back exactly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktop_app.fileio import load_weights_npz
from desktop_app.plugin_system import current_registry
from desktop_app.project import ProjectError, build_run, load_preprocessing, save_trained, sidecar_path


def test_round_trip(tiny_project, tmp_path):
    run = build_run(tiny_project, registry=current_registry())
    run.fit()
    path = tmp_path / "w.npz"
    save_trained(path, run.model, run.preprocessing)
    weights = load_weights_npz(path)
    for key, value in run.model.get_weights().items():
        np.testing.assert_array_equal(weights[key], value)
    assert sidecar_path(path) == tmp_path / "w.data.json"
    record = load_preprocessing(path)
    np.testing.assert_array_equal(record.scaler.offset, run.data.scaler.offset)
    np.testing.assert_array_equal(record.scaler.scale, run.data.scaler.scale)
    assert record.class_names == ("class 0", "class 1") and record.dataset == "xor"


def test_no_record_is_none(tmp_path):
    assert load_preprocessing(tmp_path / "w.npz") is None


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        ("{", "not valid JSON"),
        ('{"format_version": 7}', "expected a preprocessing record with format_version 1"),
        ('{"format_version": 1, "dataset": "d", "class_names": [], "sample_shape": [2], "offset": [1], '
         '"scale": [1]}', "malformed preprocessing record"),
        ('{"format_version": 1, "dataset": "d", "class_names": [], "sample_shape": [1], "offset": [0], '
         '"scale": [0]}', "the scale must be positive"),
    ],
)
def test_bad_records_are_named(tmp_path, content, pattern):
    (tmp_path / "w.data.json").write_text(content)
    with pytest.raises(ValueError, match=pattern):
        load_preprocessing(tmp_path / "w.npz")


def test_record_is_plain_json(tiny_project, tmp_path):
    run = build_run(tiny_project, registry=current_registry())
    save_trained(tmp_path / "w.npz", run.model, run.preprocessing)
    data = json.loads((tmp_path / "w.data.json").read_text())
    assert data["sample_shape"] == [2] and data["class_names"] == ["class 0", "class 1"]
    assert isinstance(ProjectError("x"), ValueError)


def test_weights_and_their_record_are_replaced_as_one_pair(tiny_project, tmp_path, monkeypatch):
    """A save that fails part-way (here: the record's file cannot be written) leaves the previous
    weights and record, never new weights beside an old record; nothing stray is left behind."""
    run = build_run(tiny_project, registry=current_registry())
    path = tmp_path / "w.npz"
    save_trained(path, run.model, run.preprocessing)
    before = {name: (tmp_path / name).read_bytes() for name in ("w.npz", "w.data.json")}
    run.fit()
    real_open = open

    def record_write_fails(file, mode="r", *args, **kwargs):
        if str(file).endswith("w.data.json") and "x" in mode:
            raise OSError(28, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", record_write_fails)
    with pytest.raises(OSError, match="No space left"):
        save_trained(path, run.model, run.preprocessing)
    monkeypatch.undo()
    assert {name: (tmp_path / name).read_bytes() for name in ("w.npz", "w.data.json")} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.data.json", "w.npz"]


def test_a_record_name_taken_by_a_folder_leaves_the_old_weights(tiny_project, tmp_path):
    """Refused before anything is written (the old save replaced the weights, then failed on the
    record)."""
    run = build_run(tiny_project, registry=current_registry())
    (tmp_path / "w.npz").write_bytes(b"the previous weights")
    (tmp_path / "w.data.json").mkdir()
    with pytest.raises(ValueError, match="w.data.json is a folder, not a file: nothing was replaced"):
        save_trained(tmp_path / "w.npz", run.model, run.preprocessing)
    assert (tmp_path / "w.npz").read_bytes() == b"the previous weights"
