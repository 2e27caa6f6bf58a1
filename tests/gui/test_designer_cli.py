"""``backprop-studio`` and ``backprop-studio gui PROJECT`` open the window through app.exec()."""

from __future__ import annotations

import pytest

from desktop_app.cli import main
from desktop_app.project.examples import example_path
from tests.gui.window_input import close_when_shown


@pytest.fixture(autouse=True)
def own_config_dir(tmp_path, monkeypatch):
    """The window's settings (recent files, layout) go to this test's folder (test_startup.py)."""
    monkeypatch.setenv("BACKPROP_STUDIO_CONFIG_DIR", str(tmp_path / "config"))


def test_gui_command_opens_the_given_project(qapp):
    seen: list[str] = []
    close_when_shown(seen)
    assert main(["gui", str(example_path("spiral_mlp"))]) == 0
    assert seen == ["spiral_mlp.bps.json[*] — Backprop Studio"]


def test_no_command_opens_the_default_example(qapp):
    seen: list[str] = []
    close_when_shown(seen)
    assert main([]) == 0
    assert seen == ["digits_mlp.bps.json[*] — Backprop Studio"]


def test_an_unreadable_project_is_one_error_line(tmp_path, capsys):
    missing = tmp_path / "nope.bps.json"
    assert main(["gui", str(missing)]) == 2
    assert "nope.bps.json" in capsys.readouterr().err
