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
import sysconfig
import textwrap
import tomllib
from dataclasses import dataclass
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


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of a copy of this checkout, built once per test session."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    pip("wheel", "--no-deps", *_build_options(), "--wheel-dir", root / "dist", source)
    (built,) = (root / "dist").glob("backprop_studio-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the wheel was installed into (``pip --target``)."""
    site = tmp_path_factory.mktemp("site")
    pip("install", "--no-deps", "--no-index", "--target", site, wheel)
    return site


@dataclass(frozen=True)
class Venv:
    """A virtual environment with the wheel installed as a user's pip would, and its site-packages."""

    root: Path
    site_packages: Path

    def command(self, *args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
        """``backprop-studio ARGS`` through the installed console script, run from ``cwd``."""
        return subprocess.run([str(self.root / "bin" / "backprop-studio"), *args], cwd=cwd,
                              env=cli_env(home), capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The wheel installed into a new venv; its dependencies come from this checkout's environment
    through a plain path line (no .pth processing, so the editable checkout stays out of it)."""
    root = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    asked = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           check=True, capture_output=True, text=True)
    site_packages = Path(asked.stdout.strip())
    (site_packages / "_checkout_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip("--python", python, "install", "--no-deps", "--no-index", wheel)
    return Venv(root, site_packages)


def site_files(site_packages: Path) -> set[str]:
    """Every file of site-packages but Python's byte-code caches."""
    return {path.relative_to(site_packages).as_posix() for path in site_packages.rglob("*")
            if "__pycache__" not in path.parts}


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
        from desktop_app.plugin_system import current_registry
        from desktop_app.project import default_example_path, load_dataset, load_project

        project = load_project(default_example_path())
        samples = len(load_dataset(project, current_registry()).x)
        x, _ = read_optdigits()
        print(json.dumps({"package": desktop_app.__file__, "resources": str(paths.RESOURCES),
                          "example": str(default_example_path()), "samples": samples,
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


@pytest.mark.slow
def test_a_pip_user_runs_a_shipped_example_from_an_empty_folder(venv, tmp_path) -> None:
    """From an empty working folder, by the example's name: results land under ./runs, the later
    commands find them, and nothing is written inside site-packages."""
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    imported = subprocess.run([str(venv.root / "bin" / "python"), "-c",
                               "import desktop_app; print(desktop_app.__file__)"],
                              cwd=work, capture_output=True, text=True, check=True)
    assert Path(imported.stdout.strip()).is_relative_to(venv.site_packages)  # the wheel, not the checkout
    before = site_files(venv.site_packages)
    listing = venv.command("examples", cwd=work, home=home)
    assert listing.returncode == 0, listing.stderr
    assert "xor_mlp" in listing.stdout and "sine_regression" in listing.stdout
    train = venv.command("train", "xor_mlp", "--epochs", "2", "--quiet", cwd=work, home=home)
    assert train.returncode == 0, train.stderr
    assert "weights: runs/xor_mlp/weights.npz" in train.stdout.splitlines()
    assert sorted(path.name for path in (work / "runs" / "xor_mlp").iterdir()) == [
        "history.csv", "run.json", "weights.data.json", "weights.npz"]
    (work / "in.csv").write_text("0.9,0.8\n-0.9,0.7\n")
    predict = venv.command("predict", "xor_mlp", "in.csv", "-o", "out.csv", cwd=work, home=home)
    assert predict.returncode == 0, predict.stderr
    assert predict.stdout.startswith("weights: runs/xor_mlp/weights.npz (the latest run of xor_mlp;")
    export = venv.command("export", "xor_mlp", "-o", "xor.onnx", cwd=work, home=home)
    assert export.returncode == 0, export.stderr
    copy = venv.command("examples", "copy", "xor_mlp", cwd=work, home=home)
    assert copy.returncode == 0, copy.stderr
    assert sorted(path.name for path in work.iterdir()) == ["in.csv", "out.csv", "runs", "xor.onnx",
                                                           "xor_mlp.bps.json"]
    assert site_files(venv.site_packages) == before
    package = venv.site_packages / "desktop_app"
    assert package.is_dir() and not list(package.rglob("runs"))

