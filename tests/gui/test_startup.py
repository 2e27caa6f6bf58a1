"""Starting the window: the project, the display and the X11 libraries are checked before Qt
starts, and the window's own settings (layout, recent files) live in the config folder beside settings.json.

The command-line cases run ``python -m desktop_app`` in a scrubbed environment (no display, a
temporary home), as a new user on a headless machine would.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cli.cli_run import assert_one_line_error, cli_command, cli_env
from PySide6.QtCore import QSettings

from desktop_app.cli import main
from desktop_app.cli.gui_cmd import HEADLESS_COMMANDS, NO_DISPLAY, missing_display, uses_xcb
from desktop_app.project.examples import example_path
from tests.gui.window_input import close_when_shown

#: What tells Qt (and the app) where a display is, or where a user's files go.
SCRUBBED = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
            "XDG_CACHE_HOME", "XDG_RUNTIME_DIR")


@pytest.fixture
def app_dirs(tmp_path, monkeypatch) -> Path:
    """The app's config and data folders (``config/``, ``data/``), the env overrides pointing there."""
    monkeypatch.setenv("BACKPROP_STUDIO_CONFIG_DIR", str(tmp_path / "app" / "config"))
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(tmp_path / "app" / "data"))
    return tmp_path / "app"


@pytest.fixture
def home(tmp_path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def run_headless(command: list[str], app_dirs: Path, home: Path,
                 **extra: str) -> subprocess.CompletedProcess[str]:
    """``command`` as a new user without a display runs it: no display variables, a fresh HOME."""
    env = {key: value for key, value in cli_env(app_dirs).items() if key not in SCRUBBED}
    env.update(HOME=str(home), **extra)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def stored_window_settings(app_dirs: Path) -> QSettings:
    return QSettings(str(app_dirs / "config" / "window.ini"), QSettings.Format.IniFormat)


# --- the window's QSettings -------------------------------------------------------------------


def test_window_settings_live_beside_settings_json(qapp, app_dirs, temporary_settings):
    project = example_path("spiral_mlp")
    seen: list[str] = []
    close_when_shown(seen)
    assert main(["gui", str(project)]) == 0
    assert seen, "the window did not open"

    stored = stored_window_settings(app_dirs)
    assert stored.value("recent_files") in (str(project.resolve()), [str(project.resolve())])
    assert stored.value("window/geometry") is not None  # the layout, saved on close
    assert files_under(temporary_settings) == []  # Qt's default location was not used


OPEN_THEN_CLOSE = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from desktop_app.cli import main
    app = QApplication(sys.argv[:1])
    QTimer.singleShot(0, lambda: [w.close() for w in app.topLevelWidgets() if w.isVisible()])
    sys.exit(main(["gui", *sys.argv[1:]]))
""")


def test_a_real_start_writes_nothing_under_home(app_dirs, home):
    """The QA report: the window wrote ~/.config/Backprop Studio/ despite the config override."""
    project = example_path("spiral_mlp")
    done = run_headless([sys.executable, "-c", OPEN_THEN_CLOSE, str(project)], app_dirs, home,
                        QT_QPA_PLATFORM="offscreen")

    assert done.returncode == 0, done.stderr
    assert files_under(home) == []
    assert "spiral_mlp.bps.json" in str(stored_window_settings(app_dirs).value("recent_files"))


# --- checks before Qt starts ------------------------------------------------------------------


def test_a_missing_project_is_one_error_line_without_a_display(app_dirs, home):
    done = run_headless(cli_command("gui", "nosuch.bps.json"), app_dirs, home)
    assert_one_line_error(done, "nosuch.bps.json", "cannot read the project file")


def test_a_future_format_version_is_one_error_line_without_a_display(app_dirs, home, tmp_path):
    future = tmp_path / "future.bps.json"
    future.write_text('{"format_version": 99}', encoding="utf-8")
    done = run_headless(cli_command("gui", future), app_dirs, home)
    assert_one_line_error(done, "future.bps.json", "99")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland systems need a display server")
@pytest.mark.parametrize("args", [("gui", example_path("spiral_mlp")), ()], ids=["gui PROJECT", "no command"])
def test_no_display_is_one_error_line_instead_of_qts_abort(app_dirs, home, args):
    done = run_headless(cli_command(*args), app_dirs, home)
    assert assert_one_line_error(done) == f"error: {NO_DISPLAY}"
    assert done.stdout == ""
    assert files_under(app_dirs) == [] and files_under(home) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland systems need a display server")
def test_no_display_points_to_the_headless_commands(app_dirs, home):
    done = run_headless(cli_command(), app_dirs, home)
    line = assert_one_line_error(done, "no display found")
    assert "offscreen" not in line  # an invisible window is no answer to a user
    commands = run_headless(cli_command("--help"), app_dirs, home).stdout
    for name in HEADLESS_COMMANDS:
        assert f" {name}" in line
        assert f"\n    {name} " in commands  # a real sub-command, listed by --help


MISSING_XCB_LIBRARIES = textwrap.dedent("""
    import sys
    from desktop_app.cli import main, xcb_libraries
    missing = sys.argv[1:]
    real = xcb_libraries.linked_libraries
    def without(library):  # what ldd reports, with the named libraries gone
        found = {name: path for name, path in real(library).items() if name not in missing}
        return {**found, **dict.fromkeys(missing)}
    xcb_libraries.linked_libraries = without
    sys.exit(main(["gui"]))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb plugin is Linux's")
def test_missing_x11_libraries_are_one_line_naming_the_debian_packages(app_dirs, home):
    """The QA report: Debian 12 with libxcb-cursor0 only, Qt aborted with exit code 134."""
    done = run_headless([sys.executable, "-c", MISSING_XCB_LIBRARIES, "libxcb-icccm.so.4",
                         "libxcb-keysyms.so.1"], app_dirs, home, DISPLAY=":0")
    assert assert_one_line_error(done) == (
        "error: the window cannot start: Qt's X11 platform plugin needs system libraries that are "
        "missing (libxcb-icccm.so.4, libxcb-keysyms.so.1); on Debian/Ubuntu: sudo apt install "
        "libxcb-icccm4 libxcb-keysyms1")
    assert done.stdout == ""
    assert files_under(app_dirs) == [] and files_under(home) == []


@pytest.mark.parametrize(("environ", "platform", "xcb"), [
    ({"DISPLAY": ":0"}, "linux", True),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
    ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
    ({"QT_QPA_PLATFORM": "xcb:nograb"}, "linux", True),
    ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":0"}, "linux", False),
    ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, "linux", False),
    ({"DISPLAY": ":0"}, "freebsd14", True),
    ({"DISPLAY": ":0"}, "darwin", False),
    ({}, "win32", False),
])
def test_which_environments_open_the_window_through_xcb(environ, platform, xcb):
    assert uses_xcb(environ, platform) is xcb


@pytest.mark.parametrize(("environ", "platform", "missing"), [
    ({}, "linux", True),
    ({"QT_QPA_PLATFORM": ""}, "linux", True),
    ({"DISPLAY": ":0"}, "linux", False),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
    ({}, "freebsd14", True),
    ({}, "darwin", False),
    ({}, "win32", False),
])
def test_which_environments_have_a_display(environ, platform, missing):
    assert missing_display(environ, platform) == (NO_DISPLAY if missing else None)
