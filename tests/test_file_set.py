"""Replacing a set of files as a unit: an error, an interrupt or a crash at any step leaves the
whole old set or the whole new set, and no hidden staging files once recovered."""

from __future__ import annotations

import errno
import os

import pytest

from desktop_app import file_set
from desktop_app.file_set import JOURNAL, FileSetError, finish_switch, recover, replace_files

OLD = {"a.bin": b"old a", "b.txt": b"old b", "manifest.json": b"old m"}
NEW = {"a.bin": b"new a", "b.txt": b"new b", "manifest.json": b"new m"}


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    for name, data in OLD.items():
        (folder / name).write_bytes(data)
    return folder


def contents(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def hidden(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.startswith("."))


def test_the_new_set_replaces_the_old_and_nothing_else_stays(folder):
    (folder / "notes.txt").write_text("not part of the set")
    replace_files(folder, NEW)
    assert contents(folder) == {**NEW, "notes.txt": b"not part of the set"}
    assert hidden(folder) == []


def test_a_write_error_half_way_leaves_the_old_set(folder, monkeypatch):
    written = []
    real_write = file_set._write_synced

    def disk_full_on_the_second(path, data):
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        real_write(path, data)

    monkeypatch.setattr(file_set, "_write_synced", disk_full_on_the_second)
    with pytest.raises(OSError, match="No space left"):
        replace_files(folder, NEW)
    assert contents(folder) == OLD
    assert hidden(folder) == []


def test_a_folder_in_a_files_place_is_refused_before_anything_is_written(folder):
    (folder / "b.txt").unlink()
    (folder / "b.txt").mkdir()
    with pytest.raises(FileSetError, match=r"b\.txt is a folder"):
        replace_files(folder, NEW)
    assert contents(folder) == {"a.bin": b"old a", "manifest.json": b"old m"}
    assert hidden(folder) == []


def test_ctrl_c_during_the_switch_completes_it(folder, monkeypatch):
    real_replace = os.replace
    calls = []

    def interrupted_after_the_first(source, target):
        real_replace(source, target)
        calls.append(target)
        if len(calls) == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted_after_the_first)
    with pytest.raises(KeyboardInterrupt):
        replace_files(folder, NEW)
    assert contents(folder) == NEW
    assert hidden(folder) == []


def test_ctrl_c_before_the_commit_keeps_the_old_set(folder, monkeypatch):
    def interrupted(source, target):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "rename", interrupted)
    with pytest.raises(KeyboardInterrupt):
        replace_files(folder, NEW)
    assert contents(folder) == OLD
    assert hidden(folder) == []


def test_recovery_finishes_a_committed_switch_and_drops_stale_staging(folder):
    """What a SIGKILL leaves: a journal with the files not moved yet, and a staging folder."""
    journal = folder / JOURNAL
    journal.mkdir()
    (folder / "a.bin").write_bytes(NEW["a.bin"])  # already moved
    for name in ("b.txt", "manifest.json"):
        (journal / name).write_bytes(NEW[name])
    stale = folder / ".fileset-0123456789abcdef.tmp"
    stale.mkdir()
    (stale / "a.bin").write_bytes(b"half")
    finish_switch(folder)  # what a reader does: the switch, not another writer's staging
    assert contents(folder) == NEW
    assert hidden(folder) == [stale.name]
    recover(folder)
    assert hidden(folder) == []
    assert contents(folder) == NEW
