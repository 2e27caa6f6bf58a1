"""The README's commands work as written: the headless section runs in a fresh folder, and its one
``sudo apt install`` line names the packages Qt and its X11 plugin need."""

from __future__ import annotations

import csv
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from cli.cli_run import cli_env

from desktop_app.cli.xcb_libraries import DEBIAN_PACKAGES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end != -1 else None]


def first_shell_block(text: str) -> str:
    return re.search(r"```sh\n(.*?)```", text, re.DOTALL).group(1)


def test_the_headless_section_runs_as_written(tmp_path):
    """Every command, in order, from an empty folder."""
    work, bin_dir = tmp_path / "work", tmp_path / "bin"
    work.mkdir()
    bin_dir.mkdir()
    command = bin_dir / "backprop-studio"  # this checkout's CLI, as `source .venv/bin/activate` gives
    command.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m desktop_app \"$@\"\n")
    command.chmod(0o755)
    env = cli_env(tmp_path / "home")
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = str(ROOT)

    script = first_shell_block(section("Headless"))
    done = subprocess.run(["bash", "-euo", "pipefail", "-x", "-c", script], cwd=work, env=env,
                          capture_output=True, text=True, timeout=600)

    assert done.returncode == 0, done.stderr[-3000:]
    kept = tmp_path / "home" / "data" / "runs" / "spiral_mlp"  # a shipped example's runs: the data folder
    runs = sorted(path for path in kept.iterdir() if path.is_dir())
    assert len(runs) == 3  # train, then the sweep's two configs
    files = {path.name for path in runs[0].iterdir()}
    assert {"weights.npz", "weights.data.json", "history.csv", "run.json"} <= files
    [results] = kept.glob("sweep-*.csv")
    assert len(results.read_text().splitlines()) == 3
    with open(work / "predictions.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["p_class 0", "p_class 1", "p_class 2", "predicted"] and len(rows) == 4
    assert (work / "spiral.onnx").stat().st_size > 0
    curve = (work / "spiral_mlp.lr-range.csv").read_text()
    assert curve.startswith("step,learning_rate,loss,smoothed_loss\n")
    assert (work / "spiral_mlp.bps.json").is_file()


def test_one_apt_line_names_every_package_of_qts_x11_libraries():
    lines = [line for line in README.splitlines() if "apt install" in line]
    assert len(lines) == 1, lines
    packages = lines[0].split("sudo apt install ", 1)[1].split()
    xcb_packages = {package for soname, package in DEBIAN_PACKAGES.items()
                    if re.match(r"lib(xcb|xkbcommon|X11-xcb)[.-]", soname)}
    # QtGui's own libraries, which no xcb package pulls in (apt-cache depends --recurse, Debian 12):
    # without them on a server or in a container even `make test`, offscreen, cannot import QtGui
    qt_packages = {DEBIAN_PACKAGES[soname] for soname in
                   ("libGL.so.1", "libEGL.so.1", "libfontconfig.so.1", "libglib-2.0.so.0", "libdbus-1.so.3")}
    assert len(packages) == len(set(packages))
    assert set(packages) == {"make", "python3-venv"} | qt_packages | xcb_packages
