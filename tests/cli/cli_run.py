"""Run ``python -m desktop_app`` in a subprocess, isolated from the user's plugins and settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from desktop_app.project import example_path, load_project, save_project


def run_cli(*args: object, home: Path, cwd: Path | None = None, plugins: bool = False,
            timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """The command's result; ``home`` holds its settings and drop-in plugin folders.

    Third-party plugins are off (safe mode) unless ``plugins`` is true, so that whatever is
    installed in the environment cannot change what a test sees.
    """
    return subprocess.run(cli_command(*args), capture_output=True, text=True, cwd=cwd,
                          env=cli_env(home, plugins), timeout=timeout)


def cli_env(home: Path, plugins: bool = False) -> dict[str, str]:
    """The environment of a CLI subprocess: settings and plugin folders under ``home``."""
    env = dict(os.environ)
    env["BACKPROP_STUDIO_CONFIG_DIR"] = str(home / "config")
    env["BACKPROP_STUDIO_DATA_DIR"] = str(home / "data")
    if plugins:
        env.pop("BACKPROP_STUDIO_LOAD_PLUGINS", None)
    else:
        env["BACKPROP_STUDIO_LOAD_PLUGINS"] = ""
    return env


def cli_command(*args: object) -> list[str]:
    return [sys.executable, "-m", "desktop_app", *map(str, args)]


def interrupt_when(*args: object, home: Path, ready: Callable[[bytes], bool],
                   timeout: float = 120) -> tuple[int, bytes, bytes]:
    """Start the command, press Ctrl-C (SIGINT) once ``ready(stderr so far)`` holds, and return its
    exit code, its stdout and all of its stderr."""
    process = subprocess.Popen(cli_command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=cli_env(home))
    try:
        seen = b""
        while not ready(seen):
            chunk = os.read(process.stderr.fileno(), 4096)
            assert chunk, f"the command ended before it was ready to be interrupted: {seen[-2000:]!r}"
            seen += chunk
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        process.kill()
    return process.returncode, stdout, seen + stderr


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """The command failed with exit code 2 and a single ``error:`` line holding every fragment."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def main_error(capsys, *args: object) -> str:
    """Run the CLI in this process (fast, for errors raised before any training) and return its one
    ``error:`` line, after checking exit code 2 and that nothing else was printed."""
    from desktop_app.cli import main

    capsys.readouterr()
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    assert code == 2, (code, captured.out, captured.err)
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    return lines[0]


def saved_xor(folder: Path, epochs: int = 2) -> Path:
    """The XOR example saved in ``folder`` as a project of the user's, ``epochs`` a run."""
    project = load_project(example_path("xor_mlp"))
    project.training.epochs = epochs
    path = folder / "xor.bps.json"
    save_project(project, path)
    return path
