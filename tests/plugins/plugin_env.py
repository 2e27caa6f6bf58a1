"""A temporary virtual environment to pip-install plugins into for real, and how to run things in it.

The environment sees this checkout's environment (numpy, pip, desktop_app, ...) through a ``.pth``
file behind its own packages, so what pip installs into it lands in it and shadows the checkout's.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from desktop_app.plugin_system import LOAD_PLUGINS_ENV
from desktop_app.settings import CONFIG_DIR_ENV, DATA_DIR_ENV


@dataclass
class PluginEnv:
    """A virtual environment under ``root``, with settings and plugin folders of its own."""

    python: Path
    root: Path
    environ: dict[str, str]

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.python), *args], cwd=cwd or self.root, env=self.environ,
                              capture_output=True, text=True, timeout=300)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("-m", "desktop_app", *args)

    def install(self, folder: Path) -> subprocess.CompletedProcess:
        """``plugins install`` a copy of ``folder`` (pip builds in the copy, never in the repo)."""
        copy = self.root / "src" / folder.name
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        return self.cli("plugins", "install", str(copy), "--no-deps", *build_options())

    def plugins(self) -> dict[str, dict]:
        listing = self.cli("plugins", "list", "--json")
        assert listing.returncode == 0, listing.stderr
        return {plugin["name"]: plugin for plugin in json.loads(listing.stdout)["plugins"]}

    def freeze(self) -> str:
        """``pip freeze``: every distribution the environment sees, with its version."""
        frozen = self.run("-m", "pip", "freeze")
        assert frozen.returncode == 0, frozen.stderr
        return frozen.stdout


def build_options() -> list[str]:
    """Build with the installed setuptools when it can make wheels (offline, fast); else let pip
    fetch the build requirements into an isolated environment."""
    wheel_makers = ("wheel", "setuptools.command.bdist_wheel")
    return ["--no-build-isolation"] if any(importlib.util.find_spec(name) for name in wheel_makers) else []


def make_plugin_env(root: Path) -> PluginEnv:
    """A new virtual environment in ``root/venv`` that sees this checkout's packages behind its own."""
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    parent = sysconfig.get_paths()["purelib"]
    Path(purelib, "_backprop_studio_parent.pth").write_text(f"import site; site.addsitedir({parent!r})\n")
    environ = {key: value for key, value in os.environ.items() if key != LOAD_PLUGINS_ENV}
    environ.update({CONFIG_DIR_ENV: str(root / "config"), DATA_DIR_ENV: str(root / "data"),
                    "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    return PluginEnv(python, root, environ)
