"""``backprop-studio PROJECT``: a project given without a command opens the window on it, as
``backprop-studio gui PROJECT`` does; one that cannot be opened is one error line."""

from __future__ import annotations

import pytest

import desktop_app.gui.app
from desktop_app.cli import main
from desktop_app.project import example_path

from .cli_run import assert_one_line_error, run_cli, saved_xor


@pytest.fixture
def opened(monkeypatch) -> list[tuple[object, object]]:
    """What the window would have been opened on: ``gui``'s call to ``gui.app.run``, recorded
    instead of made (no window in a CLI test)."""
    calls: list[tuple[object, object]] = []
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # no display check, no X11 libraries looked for
    monkeypatch.setattr(desktop_app.gui.app, "run", lambda project, path: calls.append((project, path)) or 0)
    return calls


@pytest.mark.parametrize("options", [[], ["--debug"], ["--safe-mode"]])
def test_a_project_path_alone_opens_the_window_on_it(tmp_path, opened, options):
    project_path = saved_xor(tmp_path)
    assert main([*options, str(project_path)]) == 0
    (project, path), = opened
    assert path == project_path and project.name == "XOR MLP"


def test_a_shipped_example_by_name_opens_as_with_gui(opened):
    assert main(["spiral_mlp"]) == 0
    assert opened[0][1] == example_path("spiral_mlp")


@pytest.mark.parametrize("missing", ["nowhere.bps.json", "some/folder/nowhere.bps.json"])
def test_a_project_path_that_does_not_exist_is_one_error_line(tmp_path, missing):
    result = run_cli(tmp_path / missing, home=tmp_path)
    assert_one_line_error(result, "nowhere.bps.json")
    assert result.stdout == ""


def test_a_word_that_is_neither_command_nor_project_still_gets_the_commands_hint(tmp_path):
    result = run_cli("trian", home=tmp_path)
    assert result.returncode == 2
    assert "did you mean 'train'" in result.stderr
