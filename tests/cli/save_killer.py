"""Train into copies of a run folder and SIGKILL each ``train`` at another file-system call of its save.

``python save_killer.py PROJECT TEMPLATE WORK``: trains once to load the app, counts the calls one save
makes (mkdir, open, fsync, close, rename, replace, rmdir, unlink, from the moment the set writer
starts), then for every k from 1 to that count plus one forks a child that copies TEMPLATE to
WORK/k, trains into it and kills itself with SIGKILL just before its k-th call. Prints one line
per child: ``k killed`` or ``k exited <code>``. POSIX only (fork).

``python save_killer.py PROJECT TEMPLATE WORK --store`` does the same to the run store: TEMPLATE is
a folder holding the project file PROJECT, and each child trains WORK/k/PROJECT without ``--out``,
keeping a new run beside it (the calls counted are those of ``keep_run``).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import sys

import desktop_app.cli.train_cmd as train_cmd
import desktop_app.project.run_outputs as run_outputs
from desktop_app.cli import main

CALLS = ("mkdir", "open", "fsync", "close", "rename", "replace", "rmdir", "unlink")


def instrument(kill_at: int | None, store: bool) -> list[int]:
    """Count the save's calls (and die at the ``kill_at``-th); returns the one-item counter."""
    counter = [0]
    saving = [False]

    def counted(function):
        def call(*args, **kwargs):
            if saving[0]:
                counter[0] += 1
                if counter[0] == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
            return function(*args, **kwargs)
        return call

    for name in CALLS:
        setattr(os, name, counted(getattr(os, name)))
    module, name = (train_cmd, "keep_run") if store else (run_outputs, "replace_files")
    real_save = getattr(module, name)

    def save(*args):
        saving[0] = True
        try:
            return real_save(*args)
        finally:
            saving[0] = False

    setattr(module, name, save)
    return counter


def train(project: str, folder: str, kill_at: int | None, store: bool) -> int:
    counter = instrument(kill_at, store)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    if store:
        main(["train", os.path.join(folder, project), "--quiet"])
    else:
        main(["train", project, "--out", folder, "--quiet"])
    return counter[0]


def child(run) -> int:
    """Fork ``run()`` (its return value is the exit code) and wait: the child's wait status."""
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(run())
        except BaseException:
            os._exit(99)
    return os.waitpid(pid, 0)[1]


def main_loop(project: str, template: str, work: str, store: bool = False) -> None:
    warm_up = os.path.join(template, project) if store else project
    with contextlib.redirect_stdout(io.StringIO()):  # imports and plugins, once for all children
        main(["train", warm_up, "--out", os.path.join(work, "warm-up"), "--quiet"])
    counting = os.path.join(work, "count")
    shutil.copytree(template, counting)
    read, write = os.pipe()
    status = child(lambda: os.write(write, str(train(project, counting, None, store)).encode()) and 0)
    assert os.waitstatus_to_exitcode(status) == 0, status
    calls = int(os.read(read, 64))
    for k in range(1, calls + 2):
        folder = os.path.join(work, str(k))
        shutil.copytree(template, folder)
        status = child(lambda k=k, folder=folder: train(project, folder, k, store) and 0)
        code = os.waitstatus_to_exitcode(status)
        print(k, "killed" if code == -signal.SIGKILL else f"exited {code}", flush=True)


if __name__ == "__main__":
    main_loop(*sys.argv[1:4], store=sys.argv[4:] == ["--store"])
