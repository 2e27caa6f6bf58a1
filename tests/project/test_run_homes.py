"""Each project's runs in a folder of its own (read-only projects of one name, a shipped example and
a user's copy of it), the runs of a project never saved moved whole when it is saved, and the
leftovers of another writer at work left alone."""

from __future__ import annotations

import errno
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.project import example_path, load_project, run_store, save_project
from desktop_app.project.run_store import (
    keep_run,
    list_runs,
    move_runs,
    runs_in,
    runs_of,
    runs_root,
    unsaved_root,
)
from tests.project.test_run_store import new_run


def kept_for(project, root=None):
    run = new_run()
    run.project = project
    return keep_run(root if root is not None else runs_root(project), run)


def whole(folder: Path) -> bool:
    """The run folder's files are those its run.json lists, with the hashes it records."""
    run = run_store.read_run(folder)
    return all(hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
               for name, digest in run.manifest["files"].items())


def test_read_only_projects_of_one_name_and_an_example_with_its_copy_keep_runs_apart(tmp_path, monkeypatch):
    """Until this change ``a/my.bps.json`` and ``b/my.bps.json`` (read-only), and the example
    xor_mlp and a read-only copy named like it, shared one folder of the data folder."""
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(run_store, "can_hold_runs", lambda folder: False)
    projects = []
    for folder, name in (("a", "my"), ("b", "my"), ("c", "xor_mlp")):
        (tmp_path / folder).mkdir()
        path = save_project(load_project(example_path("xor_mlp")), tmp_path / folder / f"{name}.bps.json")
        projects.append(load_project(path))
    projects.append(load_project(example_path("xor_mlp")))
    roots = [runs_root(project) for project in projects]
    assert len(set(roots)) == 4 and all(root.parent == tmp_path / "data" / "runs" for root in roots)
    assert roots[3].name == "xor_mlp"
    kept = [kept_for(project) for project in projects]
    listed = [[run.folder for run in runs_of(project)] for project in projects]
    assert listed == [[run.folder] for run in kept]


def test_an_unsaved_projects_runs_move_whole_into_its_files_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(tmp_path / "data"))
    unsaved = load_project(example_path("xor_mlp"))
    unsaved.path = None
    source = unsaved_root("Untitled", "k1")
    first, second = kept_for(unsaved, source), kept_for(unsaved, source)
    broken = source / "20261205-101010-beef"
    broken.mkdir()
    (broken / "run.json").write_text("{")
    target = tmp_path / "runs" / "net"
    target.mkdir(parents=True)
    (target / first.id).mkdir()  # an empty folder of the same name is never replaced
    moved = move_runs(source, target)
    assert len(moved) == 3 and not source.exists()
    assert (target / first.id).is_dir() and list((target / first.id).iterdir()) == []
    listed = runs_in(target, tmp_path / "net.bps.json")
    # the empty folder, named like a run, is listed too: broken, as the damaged one
    assert [run.broken for run in listed] == [False, False, True, True]
    names = {run.id for run in listed[:2]}
    assert second.id in names and any(name.startswith(f"{first.id}-") for name in names)
    assert all(whole(run.folder) for run in listed[:2])


def test_across_file_systems_a_run_is_copied_staged_and_never_half_in_the_new_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(tmp_path / "data"))
    unsaved = load_project(example_path("xor_mlp"))
    unsaved.path = None
    source = unsaved_root("Untitled", "k2")
    run = kept_for(unsaved, source)
    target = tmp_path / "elsewhere"
    real_rename = run_store.os.rename

    def rename(old, new):
        if Path(old) == run.folder and Path(new).parent == target:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_rename(old, new)

    monkeypatch.setattr(run_store.os, "rename", rename)
    real_copy = shutil.copytree

    def copy_fails_half_way(src, dst, **kwargs):
        real_copy(src, dst, ignore=lambda folder, names: names[len(names) // 2:])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(run_store.shutil, "copytree", copy_fails_half_way)
    with pytest.raises(OSError, match="No space left"):
        move_runs(source, target)
    assert list(target.iterdir()) == [] and whole(run.folder)  # still whole where it was

    monkeypatch.setattr(run_store.shutil, "copytree", real_copy)
    [moved] = move_runs(source, target)
    assert moved == target / run.id and whole(moved) and not source.exists()
    assert [path.name for path in target.iterdir()] == [run.id]


def test_the_staging_folder_of_a_writer_still_at_work_is_left_alone(tmp_path):
    """Until this change every write removed every hidden ``.tmp`` folder of the runs folder: a
    second writer (the CLI beside the window, a sweep beside a window run) could remove the run
    another one was writing."""
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        at_work = tmp_path / f".20261205-000000-abcd.{writer.pid}.tmp"
        at_work.mkdir()
        gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
        abandoned = tmp_path / f".20261205-000000-dcba.{gone.stdout.strip()}.tmp"
        abandoned.mkdir()
        kept = keep_run(tmp_path, new_run())
        assert at_work.is_dir() and not abandoned.exists()
        assert [run.folder for run in list_runs(tmp_path)] == [kept.folder]
    finally:
        writer.kill()
        writer.wait()
