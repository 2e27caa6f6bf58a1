"""Atomic writes keep file permissions; weight files that are not what they claim are refused by name."""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterator

import numpy as np
import pytest
import safetensors.numpy

from desktop_app.fileio import (
    WeightsFileError,
    atomic_write,
    atomic_write_text,
    load_weights,
    load_weights_npz,
    save_weights_npz,
)
from desktop_app.project import example_path, load_project, save_project

posix_modes = pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask() -> Iterator[Callable[[int], int]]:
    """Set the process umask for one test; the old one comes back afterwards."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


# --- permissions -----------------------------------------------------------------------------------
@posix_modes
@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_gets_0666_less_the_umask(tmp_path, umask, mask, expected) -> None:
    umask(mask)
    atomic_write_text(tmp_path / "new.txt", "hello")
    assert mode(tmp_path / "new.txt") == expected
    assert os.umask(mask) == mask  # reading it put it back


@posix_modes
@pytest.mark.parametrize("existing", [0o664, 0o600, 0o640])
def test_replacing_a_file_keeps_its_mode(tmp_path, umask, existing) -> None:
    path = tmp_path / "kept.txt"
    path.write_text("old")
    path.chmod(existing)
    atomic_write_text(path, "new")
    assert path.read_text() == "new"
    assert mode(path) == existing


@posix_modes
def test_saving_a_project_over_itself_keeps_its_mode(tmp_path, umask) -> None:
    path = tmp_path / "p.bps.json"
    shutil.copy(example_path("xor_mlp"), path)
    path.chmod(0o664)
    save_project(load_project(path), path)
    assert mode(path) == 0o664


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path) -> None:
    path = tmp_path / "w.txt"
    path.write_text("old")

    def fail_midway(handle) -> None:
        handle.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, fail_midway)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["w.txt"]


# --- weight files ----------------------------------------------------------------------------------
WEIGHTS = {
    "hidden/kernel": np.arange(6, dtype=np.float32).reshape(2, 3),
    "hidden/bias": np.ones(3, np.float32),
}


def refused(path, *fragments: str) -> str:
    with pytest.raises(WeightsFileError) as info:
        load_weights(path)
    message = str(info.value)
    assert isinstance(info.value, ValueError)  # the CLI's one-line error, exit code 2
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_a_truncated_npz_is_named_as_truncated_or_corrupt(tmp_path, keep) -> None:
    whole = tmp_path / "whole.npz"
    save_weights_npz(whole, WEIGHTS)
    data = whole.read_bytes()
    truncated = tmp_path / "trunc.npz"
    truncated.write_bytes(data[: int(len(data) * keep)])
    message = refused(truncated, "not a valid .npz file (truncated or corrupt)")
    assert message == f"{truncated}: not a valid .npz file (truncated or corrupt)"


def test_a_damaged_member_is_named_as_corrupt(tmp_path) -> None:
    path = tmp_path / "flipped.npz"
    save_weights_npz(path, WEIGHTS)
    data = bytearray(path.read_bytes())
    offset = data.index(np.ones(3, np.float32).tobytes())  # inside the stored bias array
    data[offset] ^= 0xFF  # the zip's CRC no longer matches
    path.write_bytes(bytes(data))
    refused(path, "not a valid .npz file (truncated or corrupt)")


@pytest.mark.parametrize("name, content", [("x.txt", b"hidden/kernel,1,2,3\n"), ("empty.npz", b""),
                                           ("w.npz", b"\x80\x04K\x01.")])  # the last: a pickle
def test_a_file_that_is_no_zip_is_not_a_npz_weights_file(tmp_path, name, content) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert refused(path) == f"{path}: not a .npz weights file"


def test_a_single_npy_array_is_named(tmp_path) -> None:
    path = tmp_path / "one.npz"
    with open(path, "wb") as handle:
        np.save(handle, np.zeros(3))
    refused(path, "holds a single array, not a .npz of named weights")


def test_object_arrays_are_refused_without_running_pickle(tmp_path) -> None:
    path = tmp_path / "objects.npz"
    np.savez(path, **{"hidden/kernel": np.array([{"a": 1}], dtype=object)})
    refused(path, "array 'hidden/kernel' is not numeric")


def test_complex_arrays_are_refused_not_cut_to_their_real_part(tmp_path) -> None:
    path = tmp_path / "complex.npz"
    np.savez(path, **{"hidden/kernel": np.array([1 + 2j], dtype=np.complex64)})
    refused(path, "array 'hidden/kernel' has dtype complex64; expected real numbers")


def test_a_zip_member_that_is_no_array_is_named(tmp_path) -> None:
    path = tmp_path / "other.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hidden/kernel.npy", b"not an array")
    refused(path, "member 'hidden/kernel' is not a NumPy array")


def test_weights_load_by_suffix(tmp_path) -> None:
    save_weights_npz(tmp_path / "w.npz", WEIGHTS)
    (tmp_path / "w.SafeTensors").write_bytes(safetensors.numpy.save(WEIGHTS))
    for name in ("w.npz", "w.SafeTensors"):
        loaded = load_weights(tmp_path / name)
        assert set(loaded) == set(WEIGHTS)
        np.testing.assert_array_equal(loaded["hidden/kernel"], WEIGHTS["hidden/kernel"])
    np.testing.assert_array_equal(load_weights_npz(tmp_path / "w.npz")["hidden/bias"], WEIGHTS["hidden/bias"])


def test_a_npz_renamed_to_safetensors_is_named(tmp_path) -> None:
    path = tmp_path / "w.safetensors"
    save_weights_npz(path, WEIGHTS)
    refused(path, "not a readable safetensors weights file")


def test_a_missing_or_folder_path_is_not_found(tmp_path) -> None:
    refused(tmp_path / "nowhere.npz", "weights file not found")
    (tmp_path / "folder.npz").mkdir()
    refused(tmp_path / "folder.npz", "weights file not found")


def test_an_interrupt_just_after_the_temp_file_is_created_leaves_nothing_behind(tmp_path, monkeypatch):
    """Ctrl-C can land between creating the temp file and the code that would clean it up."""
    target = tmp_path / "out.txt"
    target.write_text("before")
    real_open = os.open

    def created_then_interrupted(path, *args, **kwargs):
        descriptor = real_open(path, *args, **kwargs)
        os.close(descriptor)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "open", created_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "after")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["out.txt"]
    assert target.read_text() == "before"
