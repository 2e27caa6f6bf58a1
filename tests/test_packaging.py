"""The wheel: it holds every package and the shipped resources, and an installed copy runs from them.

The slow tests build the wheel of this checkout, install it with ``pip --target`` into a temp
folder and run Python with that folder first on ``sys.path``, away from the checkout.
"""

from __future__ import annotations

import fnmatch
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from cli.cli_run import cli_env
from packaging.requirements import Requirement

from desktop_app.paths import REPO_ROOT

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
SOURCE_RESOURCES = REPO_ROOT / "resources"
# Build output and caches that may sit in a working checkout but are not part of it.
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache",
              "runs")


def resource_files(root: Path) -> set[str]:
    """Files under ``root``, relative, without training runs saved beside the examples."""
    return {path.relative_to(root).as_posix() for path in root.rglob("*")
            if path.is_file() and not set(path.relative_to(root).parts) & {"runs", "__pycache__"}}


# --- the configuration, checked fast ------------------------------------------------------------
def test_every_package_and_resource_folder_is_listed() -> None:
    code = {".".join(init.parent.relative_to(REPO_ROOT).parts)
            for init in (REPO_ROOT / "desktop_app").rglob("__init__.py")}
    folders = {f"desktop_app.resources.{d.name}" for d in SOURCE_RESOURCES.iterdir() if d.is_dir()}
    assert set(SETUPTOOLS["packages"]) == code | {"desktop_app.resources"} | folders
    assert SETUPTOOLS["package-dir"] == {"desktop_app.resources": "resources"}


def test_package_data_covers_every_resource_file() -> None:
    patterns = SETUPTOOLS.get("package-data", {})
    unshipped = []
    for relative in sorted(resource_files(SOURCE_RESOURCES)):
        folder, _, name = relative.rpartition("/")
        package = ".".join(["desktop_app.resources", *filter(None, folder.split("/"))])
        if not any(fnmatch.fnmatch(name, pattern) for pattern in patterns.get(package, [])):
            unshipped.append(relative)
    assert not unshipped, f"resources/ files no package-data pattern ships: {unshipped}"


def test_the_build_requirement_supports_the_license_expression() -> None:
    """``license = "MIT"`` (PEP 639) needs setuptools 77; older ones refuse the project."""
    assert isinstance(PYPROJECT["project"]["license"], str)
    (requirement,) = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
    assert requirement.name == "setuptools"
    assert not requirement.specifier.contains("76.1.0") and requirement.specifier.contains("77.0.3")


# --- the built wheel ------------------------------------------------------------------------------
def _build_options() -> list[str]:
    """Build offline with this environment's setuptools when it meets the build requirement;
    else let pip fetch the build requirements into an isolated environment."""
    (requirement,) = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
    try:
        installed = importlib.metadata.version(requirement.name)
    except importlib.metadata.PackageNotFoundError:
        return []
    return ["--no-build-isolation"] if requirement.specifier.contains(installed) else []


def pip(*args: str | Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pip", *map(str, args)], capture_output=True, text=True,
                            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the wheel of a copy of this checkout was installed into (``pip --target``)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    pip("wheel", "--no-deps", *_build_options(), "--wheel-dir", root / "dist", source)
    (wheel,) = (root / "dist").glob("backprop_studio-*.whl")
    pip("install", "--no-deps", "--no-index", "--target", root / "site", wheel)
    return root / "site"


@pytest.mark.slow
def test_the_wheel_holds_every_module_and_resource(installed) -> None:
    modules = {path.relative_to(REPO_ROOT).as_posix() for path in (REPO_ROOT / "desktop_app").rglob("*.py")}
    assert modules <= {path.relative_to(installed).as_posix() for path in installed.rglob("*.py")}
    assert (installed / "desktop_app" / "project" / "project.schema.json").is_file()
    assert resource_files(installed / "desktop_app" / "resources") == resource_files(SOURCE_RESOURCES)
    assert not (installed / "resources").exists()  # nothing lands at the top of site-packages


@pytest.mark.slow
def test_an_installed_copy_loads_the_default_example_and_optdigits_from_itself(installed, tmp_path) -> None:
    script = textwrap.dedent("""
        import json
        import desktop_app
        from desktop_app import paths
        from desktop_app.data.shipped import read_optdigits
        from desktop_app.project import default_example_path, load_dataset, load_project

        project = load_project(default_example_path())
        x, _ = read_optdigits()
        print(json.dumps({"package": desktop_app.__file__, "resources": str(paths.RESOURCES),
                          "example": str(default_example_path()), "samples": len(load_dataset(project).x),
                          "digits": list(x.shape)}))
    """)
    env = {**cli_env(tmp_path), "PYTHONPATH": str(installed)}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    resources = installed / "desktop_app" / "resources"
    assert Path(seen["package"]).is_relative_to(installed)
    assert Path(seen["resources"]) == resources
    assert Path(seen["example"]) == resources / "examples" / "digits_mlp.bps.json"
    assert seen["samples"] == 1797 and seen["digits"] == [1797, 64]


@pytest.mark.slow
def test_the_installed_command_trains_a_copy_of_an_example(installed, tmp_path) -> None:
    example = SOURCE_RESOURCES / "examples" / "digits_mlp.bps.json"
    shutil.copy(example, tmp_path / "copy-of-digits_mlp.bps.json")
    env = {**cli_env(tmp_path), "PYTHONPATH": str(installed)}
    result = subprocess.run([sys.executable, "-m", "desktop_app", "train", "copy-of-digits_mlp.bps.json",
                             "--epochs", "1", "--out", "run"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "run" / "weights.npz").is_file()
