"""Ctrl-C in the CLI: a double press aborts even when both land while NumPy is busy, and a press
while the commands are still being imported ends quietly with exit code 130."""

from __future__ import annotations

import builtins
import os
import signal
import threading
import time
import tomllib
from pathlib import Path

import pytest

import desktop_app.cli as cli
from desktop_app import launcher
from desktop_app.cli.interrupts import stop_on_interrupt
from desktop_app.engine.control import TrainingControl

posix = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")


def press_while_python_waits(times: int) -> None:
    """Ctrl-C ``times`` times in a row while the main thread runs no Python, as when it is in a
    long NumPy call: the presses reach another thread (the main one blocks SIGINT meanwhile)."""
    go = threading.Event()

    def press() -> None:
        go.wait()
        for _ in range(times):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.01)  # a pending SIGINT absorbs the next one: let each be delivered

    presser = threading.Thread(target=press)
    presser.start()  # before the mask: a new thread inherits it
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        go.set()
        presser.join()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@posix
def test_one_press_asks_the_run_to_stop(capsys):
    control = TrainingControl()
    with stop_on_interrupt(control):
        press_while_python_waits(1)
    assert control.stop_requested
    assert "stopping after this batch" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@posix
def test_two_quick_presses_abort_even_when_python_sees_them_as_one(capsys):
    """Python calls the handler once for both presses: it counts them on the wakeup socket."""
    control = TrainingControl()
    with pytest.raises(KeyboardInterrupt), stop_on_interrupt(control):
        press_while_python_waits(2)
    assert "stopping" not in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_while_the_commands_are_imported_exits_130(monkeypatch, capsys):
    def interrupted(name, package=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.importlib, "import_module", interrupted)
    try:
        code = cli.main(["train", "x.bps.json"])
    except KeyboardInterrupt:
        pytest.fail("the KeyboardInterrupt escaped main(): Python prints its traceback")
    assert code == 130
    captured = capsys.readouterr()
    assert captured.err == "interrupted\n" and captured.out == ""


def test_a_ctrl_c_after_the_command_ended_cannot_print_a_traceback(monkeypatch):
    """A late second press while the interpreter shuts down ends it quietly: SIGINT is back to the
    system default once the command is done."""
    monkeypatch.setattr(cli, "main", lambda: 130)
    previous = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(SystemExit) as exit_:
            cli.run()
        assert exit_.value.code == 130
        assert signal.getsignal(signal.SIGINT) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_while_the_command_line_itself_loads_exits_130(monkeypatch, capsys):
    """The program's entry point catches a Ctrl-C that lands while ``desktop_app.cli`` is imported,
    before its own handling exists."""
    real_import = builtins.__import__

    def import_interrupted_at_the_cli(name, globals=None, locals=None, fromlist=(), level=0):
        if (level, name) == (1, "cli") and globals and globals.get("__name__") == "desktop_app.launcher":
            raise KeyboardInterrupt
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", import_interrupted_at_the_cli)
    with pytest.raises(SystemExit) as exit_:
        launcher.run()
    assert exit_.value.code == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_both_entry_points_go_through_the_launcher():
    root = Path(__file__).resolve().parents[2]
    scripts = tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["backprop-studio"] == "desktop_app.launcher:run"
    assert "from .launcher import run" in (root / "desktop_app" / "__main__.py").read_text()
