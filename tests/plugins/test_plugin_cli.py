"""``backprop-studio plugins ...`` in process: list, enable/disable, install/uninstall of files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from desktop_app.plugin_system import admin as plugin_admin
from desktop_app.settings import load_settings, plugin_dir

from .plugin_sources import BROKEN_IMPORT, FakePip, doubler, run, statuses


def test_list_reports_each_plugin_with_its_status_and_error(capsys, fake_site):
    fake_site("backprop-studio-broken", "broken", BROKEN_IMPORT, version="2.0")
    fake_site("backprop-studio-doubler", "doubler", doubler())
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    report = {plugin["name"]: plugin for plugin in json.loads(out)["plugins"]}
    assert set(report) == {"broken", "doubler"}
    assert report["doubler"] | {"location": None} == {
        "name": "doubler", "version": "1.0", "distribution": "backprop-studio-doubler",
        "source": "entry point", "location": None, "status": "active", "reason": "",
        "contributes": {"layers": ["Doubler"]}, "problems": [],
    }
    [problem] = report["broken"]["problems"]
    assert report["broken"]["status"] == "failed"
    assert "could not be imported: RuntimeError: boom at import" in problem["message"]
    assert "Traceback" in problem["traceback"]
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "doubler  1.0      entry point  active  layers: Doubler" in out
    assert "! plugin 'broken' (backprop-studio-broken 2.0) could not be imported" in out
    all_statuses = statuses(capsys, "--all")
    assert all_statuses["builtin.layers"] == "active" and len(all_statuses) == 9 + 2


def test_safe_mode_flag_loads_no_third_party_plugin(capsys, fake_site):
    fake_site("backprop-studio-doubler", "doubler", doubler())
    code, out, _ = run(capsys, "--safe-mode", "list", "--json")
    [plugin] = json.loads(out)["plugins"]
    assert (code, plugin["status"], plugin["contributes"]) == (0, "not loaded", {})
    assert "safe mode" in plugin["reason"]


def test_disable_and_enable_persist_in_the_settings(capsys, fake_site):
    module = fake_site("backprop-studio-broken", "broken", BROKEN_IMPORT)
    fake_site("backprop-studio-doubler", "doubler", doubler())
    code, out, _ = run(capsys, "disable", "backprop-studio-broken")
    assert code == 0 and "disabled broken" in out
    assert load_settings().disabled_plugins == ["broken"]
    assert statuses(capsys) == {"broken": "disabled", "doubler": "active"}
    assert module not in sys.modules
    assert run(capsys, "disable", "broken")[1].startswith("plugin 'broken' is already disabled")
    code, out, _ = run(capsys, "enable", "broken")
    assert code == 0 and "enabled broken" in out
    assert load_settings().disabled_plugins == []
    assert statuses(capsys) == {"broken": "failed", "doubler": "active"}


@pytest.mark.parametrize(("argv", "message"), [
    (("disable", "nope"), "error: no installed plugin named 'nope'. Installed: doubler"),
    (("disable", "builtin.layers"), "error: 'builtin.layers' is built in and cannot be disabled"),
    (("uninstall", "nope"), "error: no installed plugin named 'nope'. Installed: doubler"),
    (("uninstall", "backprop-studio"), "error: 'backprop-studio' is built in and cannot be uninstalled"),
])
def test_bad_names_are_refused_with_one_line_and_exit_code_2(capsys, fake_site, argv, message):
    fake_site("backprop-studio-doubler", "doubler", doubler())
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1


def test_install_and_uninstall_of_a_drop_in_file(capsys, tmp_path):
    source = tmp_path / "tripler.py"
    source.write_text(textwrap.dedent(doubler("Tripler")))
    code, out, _ = run(capsys, "install", str(source))
    target = plugin_dir() / "tripler.py"
    assert code == 0 and out == f"installed plugin 'tripler' ({target})\n"
    assert target.read_bytes() == source.read_bytes()
    assert statuses(capsys) == {"tripler": "active"}
    code, _, err = run(capsys, "install", str(source))
    assert code == 2 and "already exists; pass --upgrade to replace it" in err
    assert run(capsys, "install", "--upgrade", str(source))[0] == 0
    code, out, _ = run(capsys, "uninstall", "tripler")
    assert (code, out) == (0, f"removed {target}\n")
    assert not target.exists()


def test_install_refuses_a_python_file_that_does_not_parse(capsys, tmp_path):
    source = tmp_path / "bad.py"
    source.write_text("x = 1\ndef broken(:\n")
    code, _, err = run(capsys, "install", str(source))
    assert code == 2 and f"error: {source}: line 2: not valid Python" in err
    assert not (plugin_dir() / "bad.py").exists()
    code, _, err = run(capsys, "install", str(tmp_path / "missing.py"))
    assert code == 2 and "does not exist" in err


def test_uninstall_pip_uninstalls_the_distribution_without_importing_it(capsys, fake_site, monkeypatch):
    module = fake_site("backprop-studio-broken", "broken", BROKEN_IMPORT)
    commands = []
    monkeypatch.setattr(plugin_admin.subprocess, "Popen",
                        lambda command, **_: commands.append(command) or FakePip())
    code, out, _ = run(capsys, "uninstall", "broken")
    assert (code, out) == (0, "removed backprop-studio-broken\n")
    assert commands == [[sys.executable, "-m", "pip", "uninstall", "--yes", "backprop-studio-broken"]]
    assert module not in sys.modules


def test_install_runs_pip_with_the_running_interpreter_pinning_the_apps_packages(
        capsys, tmp_path, monkeypatch):
    commands, constraints = [], []

    def pip(command, **_):
        commands.append(command)
        constraints.append(Path(command[command.index("--constraint") + 1]).read_text())
        return FakePip(output="Collecting backprop-studio-something\n")

    monkeypatch.setattr(plugin_admin.subprocess, "Popen", pip)
    code, out, _ = run(capsys, "install", "--no-deps", "backprop-studio-something")
    assert code == 0
    [command] = commands
    assert command[:5] == [sys.executable, "-m", "pip", "install", "--report"]
    assert command[6] == "--constraint" and command[8:] == ["--no-deps", "backprop-studio-something"]
    assert out.startswith("Collecting backprop-studio-something\n") and "no plugin was added" in out
    pins = constraints[0].splitlines()
    for name in ("backprop-studio", "numpy", "pyside6-essentials", "shiboken6", "protobuf"):
        assert f"{name}=={metadata.version(name)}" in pins, name  # the app, its requirements and theirs
    assert not any(pin.startswith(("pytest==", "ruff==")) for pin in pins)  # its test extra is no requirement
    report = "ERROR: Cannot install x==1.0\n\nThe conflict is caused by:\n    x 1.0 depends on other<2\n"
    monkeypatch.setattr(plugin_admin.subprocess, "Popen", lambda command, **_: FakePip(1, report))
    code, out, err = run(capsys, "install", str(tmp_path))
    assert code == 2 and f"pip could not install {tmp_path} (exit code 1)" in err
    assert "x 1.0 depends on other<2" in out  # a conflict not about the app's packages: pip's own words


def test_warnings_reach_stderr_and_the_json_listing(tmp_path):
    """In a real process: the warning is one stderr line, stdout stays the listing."""
    environ = {**os.environ, "BACKPROP_STUDIO_LOAD_PLUGINS": "nosuch"}
    for arguments, stdout_has_warning in ((["list"], False), (["list", "--json"], True)):
        listing = subprocess.run([sys.executable, "-m", "desktop_app", "plugins", *arguments], env=environ,
                                 capture_output=True, text=True, timeout=120)
        assert listing.returncode == 0, listing.stderr
        assert listing.stderr.startswith("warning: BACKPROP_STUDIO_LOAD_PLUGINS names 'nosuch', which "
                                         "matches no installed plugin; installed: ")
        assert listing.stderr.count("\n") == 1 and listing.stderr.endswith("\n")
        assert ("nosuch" in listing.stdout) == stdout_has_warning
    assert json.loads(listing.stdout)["warnings"] == [listing.stderr[len("warning: "):-1]]
