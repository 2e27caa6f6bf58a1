""".npy and .npz files whose headers claim more than the file holds, or than the memory budget
allows, are refused by name before NumPy allocates anything."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import numpy as np
import pytest

from desktop_app.data import DataError, read_numpy_dataset, read_numpy_samples
from desktop_app.engine.memory import MEMORY_LIMIT_ENV
from desktop_app.fileio import WeightsFileError, load_weights, save_weights_npz
from desktop_app.plugin_system import current_registry
from desktop_app.project import build_model, example_path, load_project, save_trained
from desktop_app.project.run import fit_preprocessing
from tests.cli.cli_run import assert_one_line_error, run_cli


def npy_claiming(shape: tuple[int, ...], data: bytes = b"\0" * 64) -> bytes:
    """An .npy file whose header announces ``shape`` of float32, followed by only ``data``."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f4", "fortran_order": False, "shape": shape})
    return b"".join((buffer.getvalue(), data))


def test_a_short_npy_claiming_a_big_array_is_refused_before_allocating(tmp_path):
    path = tmp_path / "x.npy"
    path.write_bytes(npy_claiming((10**8,)))  # 400 MB announced, 64 bytes held
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as caught:
            read_numpy_samples(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(caught.value) == (
        f"{path}: not a readable NumPy file (truncated or corrupt: the array announces shape "
        "(100000000,) and dtype float32 (381.5 MiB), but the file holds only 64 bytes of it)"
    )
    assert peak < 10 * 2**20


def test_an_npz_member_claiming_more_than_it_holds_is_named(tmp_path):
    path = tmp_path / "d.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.npy", npy_claiming((10**12,)))
        archive.writestr("y.npy", npy_claiming((16,)))
    with pytest.raises(DataError, match=r"d\.npz: not a readable NumPy file \(truncated or corrupt: "
                                        r"array 'x' announces shape \(1000000000000,\) and dtype "
                                        r"float32 \(3\.6 TiB\)"):
        read_numpy_dataset(path)


def test_weights_claiming_more_than_they_hold_are_refused(tmp_path):
    path = tmp_path / "w.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hidden/kernel.npy", npy_claiming((10**6, 10**6)))
    with pytest.raises(WeightsFileError, match=r"w\.npz: .*array 'hidden/kernel' announces shape"):
        load_weights(path)


def test_arrays_beyond_the_memory_budget_are_refused_with_the_limit(tmp_path, monkeypatch):
    x_path, weights_path = tmp_path / "x.npy", tmp_path / "w.npz"
    np.save(x_path, np.zeros((64, 1024), np.float32))  # 256 KiB
    save_weights_npz(weights_path, {"d/kernel": np.zeros((256, 256), np.float32)})
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "100K")
    with pytest.raises(DataError, match=r"x\.npy: the array of shape \(64, 1024\) and dtype float32 "
                                        r"\(256\.0 KiB\) is more than the limit of 100\.0 KiB "
                                        rf"\(set by {MEMORY_LIMIT_ENV}\)"):
        read_numpy_samples(x_path)
    with pytest.raises(WeightsFileError, match=r"array 'd/kernel' unpacks to 256\.\d KiB, more than"):
        load_weights(weights_path)
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1M")
    assert read_numpy_samples(x_path).shape == (64, 1024)
    assert load_weights(weights_path)["d/kernel"].shape == (256, 256)


def test_predict_on_a_300_byte_npy_claiming_a_trillion_floats_fails_in_one_line(tmp_path):
    weights, project = tmp_path / "w.npz", load_project(example_path("xor_mlp"))
    registry = current_registry()
    save_trained(weights, build_model(project, registry), fit_preprocessing(project, registry))
    inputs = tmp_path / "big.npy"
    inputs.write_bytes(npy_claiming((10**12,), data=b"\0" * 172))
    assert inputs.stat().st_size == 300
    result = run_cli("predict", example_path("xor_mlp"), "--weights", weights, inputs,
                     "-o", tmp_path / "out.csv", home=tmp_path)
    assert_one_line_error(result, "big.npy: not a readable NumPy file (truncated or corrupt: the array "
                          "announces shape (1000000000000,)", "the file holds only 172 bytes")
    assert "MemoryError" not in result.stderr
    assert not (tmp_path / "out.csv").exists()
