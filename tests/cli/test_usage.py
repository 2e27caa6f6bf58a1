"""What the command line says about itself: version, help with examples, and hints for typos."""

from __future__ import annotations

import pytest

from desktop_app import __version__

from .cli_run import run_cli

COMMANDS = ("gui", "train", "predict", "export", "gradcheck", "lr-find", "check", "examples", "datasets",
            "plugins")
PLUGIN_ACTIONS = ("list", "install", "uninstall", "enable", "disable")


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_the_version_is_printed_by_either_flag(tmp_path, flag):
    result = run_cli(flag, home=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"backprop-studio {__version__}\n", "")


@pytest.mark.parametrize(("argv", "hint"), [
    (["trian", "x.bps.json"], "invalid choice: 'trian' (did you mean 'train'?); choose from gui, train,"),
    (["plugins", "lsit"], "invalid choice: 'lsit' (did you mean 'list'?); choose from list, install,"),
    (["plugins", "enabel", "x"], "invalid choice: 'enabel' (did you mean 'enable'?)"),
])
def test_a_misspelled_command_gets_a_did_you_mean(tmp_path, argv, hint):
    result = run_cli(*argv, home=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert hint in result.stderr.splitlines()[-1], result.stderr


def test_a_command_resembling_none_lists_the_choices_without_a_hint(tmp_path):
    result = run_cli("zzzz", home=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'zzzz'" in result.stderr and "did you mean" not in result.stderr


def _help(home, *command: str) -> str:
    result = run_cli(*command, "--help", home=home)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("command", [(), *((name,) for name in COMMANDS),
                                     *(("plugins", action) for action in PLUGIN_ACTIONS),
                                     ("examples", "copy")])
def test_every_help_ends_with_usage_examples_of_that_command(tmp_path, command):
    text = _help(tmp_path, *command)
    examples = text.split("\nexamples:\n")[1].splitlines()
    assert examples, text
    for line in examples:  # kept on one line each, not re-wrapped into the prose
        assert line.startswith(f"  backprop-studio {' '.join(command)}".rstrip()) and "  # " in line, text


@pytest.mark.parametrize(("action", "says"), [
    ("list", "status (active, error, suspect gradients, failed, disabled, not loaded)"),
    ("install", "a plugin requiring other versions of them is refused and nothing is installed"),
    ("enable", "Load a disabled plugin again from the next start on."),
    ("disable", "a plugin that crashes on import can be turned off"),
])
def test_each_plugins_action_describes_itself(tmp_path, action, says):
    text = " ".join(_help(tmp_path, "plugins", action).split())
    assert says in text


def test_gui_help_names_the_example_project_it_opens(tmp_path):
    text = " ".join(_help(tmp_path, "gui").split())
    assert "else on the built-in example project digits_mlp.bps.json" in text


def test_enabling_a_plugin_that_is_not_installed_is_an_error(tmp_path):
    folder = tmp_path / "data" / "plugins"
    folder.mkdir(parents=True)
    (folder / "doubler.py").write_text("")
    result = run_cli("plugins", "enable", "nosuchplugin", home=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "error: no installed plugin named 'nosuchplugin'. Installed: doubler\n"
    enabled = run_cli("plugins", "enable", "doubler", home=tmp_path)
    assert (enabled.returncode, enabled.stdout) == (0, "plugin 'doubler' is already enabled\n")
