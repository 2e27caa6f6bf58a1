"""Installing and uninstalling through ``backprop-studio plugins``: one name means one plugin.

pip is replaced by a fake that records its command line, "installs" by making a fake distribution
on ``sys.path`` and writes the ``--report`` JSON pip would, so discovery after the install goes
through ``importlib.metadata`` as it does after a real pip run.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.plugin_system import admin as plugin_admin
from desktop_app.settings import Settings, load_settings, plugin_dir, save_settings

from .plugin_sources import FakePip, doubler, run, statuses

PIP = [sys.executable, "-m", "pip"]


@pytest.fixture
def pip_calls(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[list[str]]]:
    """``pip_calls(effect=None)``: the recorded pip commands; ``effect()`` runs on ``install`` and
    returns the (name, version, requested) triples pip reports as installed."""
    commands: list[list[str]] = []

    def start(effect: Callable[[], list[tuple[str, str, bool]]] | None = None) -> list[list[str]]:
        def call(command: list[str], **_: object) -> FakePip:
            commands.append(command)
            if command[3] == "install":
                installed = effect() if effect is not None else []
                report = {"version": "1", "install": [
                    {"requested": requested, "metadata": {"name": name, "version": version}}
                    for name, version, requested in installed]}
                Path(command[command.index("--report") + 1]).write_text(json.dumps(report))
            return FakePip()

        monkeypatch.setattr(plugin_admin.subprocess, "Popen", call)
        return commands

    return start


def _installs(fake_site: Callable[..., str], distribution: str, plugin: str | None, version: str = "1.0"):
    """A pip effect: ``distribution`` appears on sys.path, and pip reports it as requested."""

    def effect() -> list[tuple[str, str, bool]]:
        fake_site(distribution, plugin, doubler() if plugin else "X = 1", version)
        return [(distribution, version, True)]

    return effect


def _source_file(folder: Path, name: str, layer: str = "Tripler") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(doubler(layer)))
    return path


def test_a_drop_in_taking_an_installed_plugins_name_is_refused(capsys, fake_site, tmp_path):
    fake_site("backprop-studio-doubler", "doubler", doubler())
    for name in ("doubler.py", "Doubler.py", "backprop_studio_doubler.py"):
        for upgrade in ((), ("--upgrade",)):
            source = _source_file(tmp_path, name)
            code, out, err = run(capsys, "install", *upgrade, str(source))
            assert (code, out) == (2, "")
            assert err == (f"error: {source}: the plugin name '{Path(name).stem}' is already taken by entry "
                           "point plugin 'doubler' (distribution backprop-studio-doubler 1.0); rename the "
                           "file, or uninstall that plugin first\n")
    assert not plugin_dir().exists()
    assert statuses(capsys) == {"doubler": "active"}


def test_a_drop_in_clashing_with_another_drop_in_or_a_builtin_is_refused(capsys, tmp_path):
    first = _source_file(tmp_path, "my_layer.py")
    assert run(capsys, "install", str(first))[0] == 0
    assert run(capsys, "install", "--upgrade", str(first))[0] == 0  # replacing itself is no clash
    (tmp_path / "other").mkdir()
    second = _source_file(tmp_path / "other", "my-layer.py")
    code, _, err = run(capsys, "install", str(second))
    assert code == 2 and f"already taken by drop-in plugin 'my_layer' ({plugin_dir() / 'my_layer.py'})" in err
    builtin = _source_file(tmp_path, "builtin.layers.py")
    code, _, err = run(capsys, "install", str(builtin))
    assert code == 2 and "the plugin name 'builtin.layers' is reserved for the built-in plugins" in err
    assert sorted(p.name for p in plugin_dir().iterdir()) == ["my_layer.py"]


def test_an_ambiguous_uninstall_is_refused_and_each_name_removes_exactly_one(
        capsys, fake_site, drop_in, pip_calls):
    fake_site("backprop-studio-doubler", "doubler", doubler())
    path = drop_in("doubler", doubler("Impostor"))
    commands = pip_calls()
    code, out, err = run(capsys, "uninstall", "doubler")
    assert (code, out) == (2, "")
    assert err == ("error: 'doubler' names 2 installed plugins: entry point plugin 'doubler' (distribution "
                   f"backprop-studio-doubler 1.0); drop-in plugin 'doubler' ({path}). Uninstall removes "
                   "one: name it ('backprop-studio-doubler', 'doubler.py'), or add --source folder or "
                   "--source entry-point\n")
    assert path.exists() and commands == []

    assert run(capsys, "uninstall", "doubler", "--source", "folder")[:2] == (0, f"removed {path}\n")
    assert not path.exists() and commands == []
    code, _, err = run(capsys, "uninstall", "doubler", "--source", "folder")
    assert code == 2 and "no installed plugin named 'doubler'. Installed: doubler (--source folder" in err

    drop_in("doubler", doubler("Impostor"))
    assert run(capsys, "uninstall", "doubler.py")[:2] == (0, f"removed {path}\n")
    for name in (("backprop-studio-doubler",), ("doubler", "--source", "entry-point")):
        drop_in("doubler", doubler("Impostor"))
        assert run(capsys, "uninstall", *name)[:2] == (0, "removed backprop-studio-doubler\n")
        assert path.exists()
    assert commands == [[*PIP, "uninstall", "--yes", "backprop-studio-doubler"]] * 2


def test_uninstall_forgets_the_disabled_setting_so_a_reinstall_is_enabled(capsys, tmp_path):
    source = _source_file(tmp_path, "raiser.py")
    assert run(capsys, "install", str(source))[0] == 0
    assert run(capsys, "disable", "raiser")[0] == 0
    assert statuses(capsys) == {"raiser": "disabled"}
    assert run(capsys, "uninstall", "raiser")[0] == 0
    assert load_settings().disabled_plugins == []
    code, out, _ = run(capsys, "install", str(source))
    assert (code, out) == (0, f"installed plugin 'raiser' ({plugin_dir() / 'raiser.py'})\n")
    assert statuses(capsys) == {"raiser": "active"}


def test_uninstall_keeps_a_disabled_name_another_plugin_still_answers_to(capsys, fake_site, drop_in):
    fake_site("backprop-studio-doubler", "doubler", doubler())
    drop_in("doubler", doubler("Impostor"))
    save_settings(Settings({"disabled_plugins": ["doubler", "gone"], "theme": "dark"}))
    assert run(capsys, "uninstall", "doubler", "--source", "folder")[0] == 0
    assert load_settings().values == {"disabled_plugins": ["doubler", "gone"], "theme": "dark"}


def test_install_says_when_the_plugin_it_brings_is_disabled(capsys, tmp_path):
    save_settings(Settings({"disabled_plugins": ["raiser"]}))
    code, out, _ = run(capsys, "install", str(_source_file(tmp_path, "raiser.py")))
    assert (code, out) == (0, f"installed plugin 'raiser' ({plugin_dir() / 'raiser.py'}); it is disabled in "
                              "the settings (turn it on with: backprop-studio plugins enable raiser)\n")


def test_pip_install_names_the_plugins_of_the_distribution(capsys, fake_site, pip_calls):
    commands = pip_calls(_installs(fake_site, "backprop-studio-doubler", "doubler", "2.0"))
    code, out, _ = run(capsys, "install", "--no-deps", "backprop-studio-doubler")
    assert (code, out) == (0, "installed plugin 'doubler' (backprop-studio-doubler 2.0)\n")
    [[*start, report, constraint, constraints, option, spec]] = commands
    assert (start, constraint, option, spec) == (
        [*PIP, "install", "--report"], "--constraint", "--no-deps", "backprop-studio-doubler")
    assert not Path(report).exists()  # the report lives in a temporary folder, removed after


def test_pip_install_of_a_distribution_without_plugins_is_an_error_and_it_can_be_uninstalled(
        capsys, fake_site, pip_calls, tmp_path):
    folder = tmp_path / "notplug"
    folder.mkdir()

    def install() -> list[tuple[str, str, bool]]:
        dependency = _installs(fake_site, "some-dependency", None, "3.0")()
        return [*_installs(fake_site, "notplug", None, "0.1")(), *[(n, v, False) for n, v, _ in dependency]]

    commands = pip_calls(install)
    code, out, err = run(capsys, "install", str(folder))
    assert (code, out) == (2, "")
    assert err == (f"error: {folder}: pip installed notplug 0.1, which exposes no 'backprop_studio.plugins' "
                   "entry point, so it is not a Backprop Studio plugin; remove it with: "
                   "backprop-studio plugins uninstall notplug\n")
    assert commands[0][-1] == str(folder)
    assert run(capsys, "uninstall", "notplug") == (0, "removed notplug\n", "")
    assert commands[1:] == [[*PIP, "uninstall", "--yes", "notplug"]]


def test_pip_install_taking_a_drop_ins_name_is_reported(capsys, fake_site, drop_in, pip_calls):
    path = drop_in("doubler", doubler("Impostor"))
    pip_calls(_installs(fake_site, "backprop-studio-doubler", "doubler"))
    code, _, err = run(capsys, "install", "backprop-studio-doubler")
    assert code == 2
    assert err == ("error: backprop-studio-doubler: pip installed entry point plugin 'doubler' (distribution "
                   "backprop-studio-doubler 1.0), but its name is already taken by drop-in plugin 'doubler' "
                   f"({path}), so only one of them loads; remove one with: backprop-studio plugins uninstall "
                   "backprop-studio-doubler (or doubler.py)\n")


def test_pip_installing_nothing_new_says_so(capsys, pip_calls):
    pip_calls(lambda: [])
    code, out, _ = run(capsys, "install", "backprop-studio-doubler")
    assert code == 0 and out.startswith("backprop-studio-doubler: no plugin was added (pip installed no new")


@pytest.mark.parametrize(("name", "needed"), [
    ("numpy", "required by backprop-studio"),
    ("pip", "Backprop Studio installs plugins with it"),
])
def test_uninstall_leaves_distributions_the_app_needs(capsys, pip_calls, name, needed):
    commands = pip_calls()
    code, _, err = run(capsys, "uninstall", name)
    assert code == 2 and err.startswith(f"error: '{name}' is not a plugin but the distribution {name} ")
    assert needed in err and err.endswith("; it is left installed\n")
    assert commands == []
