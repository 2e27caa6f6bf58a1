"""pip may not change Backprop Studio or the packages it runs on while it installs a plugin.

In a temporary virtual environment with backprop-studio installed in it, plugins requiring
another backprop-studio or another numpy are installed through ``plugins install``, and through
the command the window's installer runs, with pip offline (``--no-index``) and a folder of wheels
that would satisfy them: a fake backprop-studio 0.0.0 and a fake numpy 0.9.0, which pip would
otherwise put in place of the real ones.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from desktop_app.gui.plugin_install import CLI_PLUGINS, PluginCommand
from desktop_app.paths import REPO_ROOT

from .plugin_env import PluginEnv, build_options, make_plugin_env

pytestmark = pytest.mark.slow

# What a copy of the checkout leaves out (build output, caches, environments, training runs).
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache",
              "runs")
APP_VERSION = metadata.version("backprop-studio")
NUMPY_VERSION = metadata.version("numpy")
# plugin distribution -> (its requirement on the app's packages, what the app runs on)
CONFLICTING = {
    "needs-old-app": ("backprop-studio<0.0.1", f"backprop-studio {APP_VERSION}"),
    "needs-old-numpy": ("numpy<1.0", f"numpy {NUMPY_VERSION}"),
}


def _project(folder: Path, name: str, version: str, dependencies: list[str], plugin: bool = True) -> Path:
    """A one-module distribution; a plugin exposes its module as entry point ``<name>_probe``."""
    module = name.replace("-", "_") + "_probe"
    folder.mkdir(parents=True)
    entry_point = f'[project.entry-points."backprop_studio.plugins"]\n{module} = "{module}"\n'
    if not plugin:
        entry_point = ""
    (folder / "pyproject.toml").write_text(textwrap.dedent(f"""
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{name}"
        version = "{version}"
        dependencies = {dependencies!r}

        [tool.setuptools]
        py-modules = ["{module}"]
    """) + entry_point)
    (folder / f"{module}.py").write_text("")
    return folder


@pytest.fixture(scope="session")
def pinned_env(tmp_path_factory: pytest.TempPathFactory) -> PluginEnv:
    """The environment, with pip pointed at only the wheels folder ``root/wheels``."""
    root = tmp_path_factory.mktemp("pinned_env")
    env = make_plugin_env(root)
    app = root / "app"
    shutil.copytree(REPO_ROOT, app, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    installed = env.run("-m", "pip", "install", "--no-deps", "--no-index", *build_options(), str(app))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    sources = root / "sources"
    projects = [
        _project(sources / "app", "backprop-studio", "0.0.0", [], plugin=False),
        _project(sources / "numpy", "numpy", "0.9.0", [], plugin=False),
        _project(sources / "compatible", "compatible", "1.0",
                 [f"backprop-studio>={APP_VERSION}", "numpy>=1.20"]),
        *(_project(sources / name, name, "1.0", [requirement])
          for name, (requirement, _) in CONFLICTING.items()),
    ]
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index", *build_options(),
                            "--wheel-dir", str(root / "wheels"), *map(str, projects)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    env.environ.update({"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(root / "wheels")})
    return env


def _wheel(env: PluginEnv, name: str) -> Path:
    (wheel,) = (env.root / "wheels").glob(f"{name.replace('-', '_')}-1.0-*.whl")
    return wheel


def _refusal(env: PluginEnv, name: str) -> str:
    requirement, pinned = CONFLICTING[name]
    return (f"error: pip could not install {_wheel(env, name)}: {name} 1.0 requires {requirement}, but "
            f"Backprop Studio runs on {pinned}, which a plugin may not change; nothing was installed")


@pytest.mark.parametrize("name", CONFLICTING)
def test_a_plugin_requiring_other_versions_of_the_apps_packages_is_refused_and_nothing_changes(
        pinned_env, name):
    before = pinned_env.freeze()
    assert f"backprop-studio @ file://{pinned_env.root / 'app'}" in before  # installed in the venv
    result = pinned_env.cli("plugins", "install", str(_wheel(pinned_env, name)))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.splitlines() == [_refusal(pinned_env, name)]
    assert "Traceback" not in result.stdout and "conflict" not in result.stdout
    assert pinned_env.freeze() == before


def test_the_windows_installer_runs_the_same_command_and_is_refused_the_same_way(
        pinned_env, qtbot, monkeypatch):
    for key, value in pinned_env.environ.items():
        monkeypatch.setenv(key, value)
    before = pinned_env.freeze()
    command = PluginCommand(program=(str(pinned_env.python), *CLI_PLUGINS[1:]))
    output: list[str] = []
    command.output.connect(output.append)
    with qtbot.waitSignal(command.finished, timeout=300_000) as finished:
        command.start(["install", str(_wheel(pinned_env, "needs-old-app"))])
    assert finished.args == [False]
    assert _refusal(pinned_env, "needs-old-app") + "\n" in "".join(output)
    assert pinned_env.freeze() == before


def test_a_plugin_content_with_the_installed_versions_installs(pinned_env):
    before = set(pinned_env.freeze().splitlines())
    result = pinned_env.cli("plugins", "install", str(_wheel(pinned_env, "compatible")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "installed plugin 'compatible_probe' (compatible 1.0)" in result.stdout
    added = set(pinned_env.freeze().splitlines()) - before
    assert [line.split(" @ ")[0] for line in added] == ["compatible"]
    removed = pinned_env.cli("plugins", "uninstall", "compatible")
    assert removed.returncode == 0, removed.stderr
