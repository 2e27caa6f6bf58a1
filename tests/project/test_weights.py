"""Trained weights and their preprocessing record: saved side by side, read back exactly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktop_app.fileio import load_weights_npz
from desktop_app.plugin_manager import current_registry
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
