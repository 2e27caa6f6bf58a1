"""Isolation for the plugin tests: user folders in a temp dir, no leaked host, fake installs.

``fake_site`` makes real installed distributions (a ``.dist-info`` with an entry point and a
RECORD, plus the module) in a folder put on ``sys.path``, so discovery goes through
``importlib.metadata`` exactly as for a pip-installed plugin, without running pip.
"""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.plugin_system import LOAD_PLUGINS_ENV, use_host
from desktop_app.settings import CONFIG_DIR_ENV, DATA_DIR_ENV, plugin_dir
from desktop_app.testing import plugin_host, register_plugin  # noqa: F401  (the public fixtures)


@pytest.fixture(autouse=True)
def user_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Settings and drop-in folders under the test's tmp dir; the process-wide host restored after."""
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "config"))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv(LOAD_PLUGINS_ENV, "")  # records the original value, restored after the test
    monkeypatch.delenv(LOAD_PLUGINS_ENV)  # (the CLI's --safe-mode sets it directly)
    previous = use_host(None)
    yield tmp_path
    use_host(previous)


@pytest.fixture
def fake_site(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """``install(dist, plugin, source, version="1.0") -> module name``: a fake installed plugin.

    ``plugin=None`` makes a distribution exposing no plugin (no entry point).
    """
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    modules: list[str] = []

    def install(distribution: str, plugin: str | None, source: str, version: str = "1.0") -> str:
        module = f"fake_{plugin or 'module'}_{uuid.uuid4().hex[:8]}"
        modules.append(module)
        (site / f"{module}.py").write_text(textwrap.dedent(source))
        info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n")
        if plugin is not None:
            (info / "entry_points.txt").write_text(f"[backprop_studio.plugins]\n{plugin} = {module}\n")
        (info / "RECORD").write_text(f"{module}.py,,\n{info.name}/METADATA,,\n")
        return module

    yield install
    for module in modules:
        sys.modules.pop(module, None)


@pytest.fixture
def drop_in() -> Callable[[str, str], Path]:
    """``drop_in(name, source)``: write a drop-in plugin file into the user plugin folder."""

    def write(name: str, source: str) -> Path:
        folder = plugin_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        return path

    return write
