"""Run ``python -m desktop_app`` in a subprocess, isolated from the user's plugins and settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


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
