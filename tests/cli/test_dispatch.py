"""The dispatcher: global options on either side of the sub-command, and a reader that stops reading."""

from __future__ import annotations

import os
import subprocess

import pytest

from desktop_app.cli import build_parser

from .cli_run import cli_command, cli_env, run_cli


@pytest.mark.parametrize("argv", [
    ["--debug", "datasets"], ["datasets", "--debug"], ["plugins", "list", "--debug"],
    ["--debug", "plugins", "list"],
])
def test_debug_is_accepted_before_and_after_the_subcommand(argv):
    args = build_parser().parse_args(argv)
    assert args.debug is True and args.safe_mode is False


@pytest.mark.parametrize("argv", [
    ["--safe-mode", "train", "p.bps.json"], ["train", "p.bps.json", "--safe-mode"],
])
def test_safe_mode_is_accepted_before_and_after_the_subcommand(argv):
    args = build_parser().parse_args(argv)
    assert args.safe_mode is True and args.debug is False


def test_neither_option_given_means_off():
    args = build_parser().parse_args(["datasets"])
    assert args.debug is False and args.safe_mode is False


def test_debug_after_the_subcommand_shows_the_traceback(tmp_path):
    result = run_cli("train", tmp_path / "missing.bps.json", "--debug", home=tmp_path)
    assert result.returncode != 0
    assert "unrecognized arguments" not in result.stderr
    assert "Traceback" in result.stderr and "missing.bps.json: cannot read the project file" in result.stderr


def test_safe_mode_after_the_subcommand_loads_no_plugins(tmp_path):
    plugin_folder = tmp_path / "data" / "plugins"
    plugin_folder.mkdir(parents=True)
    (plugin_folder / "shout.py").write_text(
        "from desktop_app.hookspecs import hookimpl\n"
        "from desktop_app.data.toys import Sine\n\n"
        "class Loud(Sine):\n    type_name = 'loud'\n\n"
        "@hookimpl\ndef register_datasets(register):\n    register(Loud)\n"
    )
    assert "loud  (" in run_cli("datasets", home=tmp_path, plugins=True).stdout
    result = run_cli("datasets", "--safe-mode", home=tmp_path, plugins=True)
    assert result.returncode == 0, result.stderr
    assert "loud  (" not in result.stdout and "sine  (" in result.stdout


@pytest.mark.parametrize("command", [["datasets"], ["plugins", "list", "--all"], ["datasets", "--json"]])
def test_a_closed_output_pipe_ends_quietly(tmp_path, command):
    """As in ``backprop-studio datasets | head -1``: the reader is gone before the output is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(cli_command(*command), stdout=write_end, stderr=subprocess.PIPE, text=True,
                                env=cli_env(tmp_path), timeout=120)
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == 1
