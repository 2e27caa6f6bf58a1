"""The ``backprop-studio`` command: the same engine as the window, headless.

Each sub-command lives in its own module exposing ``add_parser(subparsers)``; the parser it adds
sets ``func(args) -> int``. Bad input raises ``CliError`` (or an EngineError), printed as one line
with exit code 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .. import __version__
from .errors import CliError

COMMAND_MODULES = ("gui", "train", "predict", "export", "gradcheck", "datasets", "plugins")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backprop-studio",
        description="Design neural networks visually and train them live on a NumPy engine.",
    )
    parser.add_argument("--version", action="version", version=f"backprop-studio {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--safe-mode", action="store_true", help="load no third-party plugins")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f".{name}_cmd", __name__)
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}_cmd":
                raise
            continue
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.safe_mode:
        import os

        os.environ["BACKPROP_STUDIO_LOAD_PLUGINS"] = ""
    if args.command is None and "gui" in _commands(parser):
        args = parser.parse_args([*(sys.argv[1:] if argv is None else argv), "gui"])
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # one clear line for the user; the traceback on request
        if args.debug:
            raise
        if not _is_user_error(error):
            print(f"error: internal error: {type(error).__name__}: {error} (run with --debug)",
                  file=sys.stderr)
            return 1
        print(f"error: {_user_message(error)}", file=sys.stderr)
        return 2


def _is_user_error(error: Exception) -> bool:
    from ..engine.errors import EngineError

    return isinstance(error, (CliError, EngineError, OSError, ValueError))


def _user_message(error: Exception) -> str:
    """The error as one line; a failing layer also names the plugin that provides its type."""
    from ..engine.errors import LayerError

    if isinstance(error, LayerError):
        from ..plugin_manager import format_layer_error

        return format_layer_error(error)
    return str(error)


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._subparsers._group_actions:  # argparse keeps sub-commands here
        return set(action.choices)
    return set()
