"""The ``backprop-studio`` command: the same engine as the window, headless.

Each sub-command lives in its own module exposing ``add_parser(subparsers)``; the parser it adds
sets ``func(args) -> int``. Bad input raises ``CliError`` (or an EngineError), printed as one line
with exit code 2; ``--debug`` shows the traceback instead. ``--debug`` and ``--safe-mode`` are
accepted before the sub-command and after it. Output cut short by its reader (``... | head``)
ends the command quietly, as ``cat`` or ``ls`` do.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import __version__
from .errors import EXIT_INTERRUPTED, CliError
from .parsing import CliParser, examples
from .project_argument import with_command

COMMAND_MODULES = ("gui", "train", "predict", "export", "gradcheck", "lr_find", "check", "examples",
                   "datasets", "plugins", "runs", "sweep", "report")


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog="backprop-studio",
        description="Design neural networks visually and train them live on a NumPy engine.",
        epilog=examples(("", "open the window on the project open last time, else an example"),
                        ("my.bps.json", "open the window on a project (as 'gui my.bps.json')"),
                        ("train my.bps.json --epochs 20", "train headless; save weights and history"),
                        ("plugins list", "the installed plugins and their status"),
                        ("COMMAND --help", "a command's options and examples")),
    )
    parser.add_argument("-V", "--version", action="version", version=f"backprop-studio {__version__}")
    add_global_options(parser, default=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f".{name}_cmd", __name__)
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}_cmd":
                raise
            continue
        module.add_parser(subparsers)
    for command in _subcommand_parsers(parser):
        add_global_options(command, default=argparse.SUPPRESS)
    return parser


def add_global_options(parser: argparse.ArgumentParser, default: object) -> None:
    """``--debug`` and ``--safe-mode``; sub-commands get them with ``default=SUPPRESS``, so an
    option given before the sub-command is not reset by the sub-command's own default."""
    parser.add_argument("--debug", action="store_true", default=default, help="show tracebacks on errors")
    parser.add_argument("--safe-mode", action="store_true", default=default,
                        help="load no third-party plugins")


def _subcommand_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every sub-command's parser, nested ones (``plugins list``) included."""
    found = []
    for action in parser._actions:  # argparse keeps sub-commands in a _SubParsersAction
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += [child, *_subcommand_parsers(child)]
    return found


def run() -> NoReturn:
    """The program: ``main()``, then exit with its code. A Ctrl-C that lands while the interpreter
    shuts down (a late second press) ends the process quietly instead of printing a traceback."""
    code = main()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit code: 0 success, 2 bad input, 1 a failure or a closed output pipe,
    130 interrupted (Ctrl-C)."""
    try:
        try:
            return _dispatch(argv)
        finally:
            sys.stdout.flush()  # a closed pipe shows here (also after --help), not at interpreter exit
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:  # also while the commands' modules are still being imported
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _dispatch(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    argv = with_command(sys.argv[1:] if argv is None else argv, _commands(parser))
    args = parser.parse_args(argv)
    if args.safe_mode:
        os.environ["BACKPROP_STUDIO_LOAD_PLUGINS"] = ""
    if args.command is None and "gui" in _commands(parser):
        args = parser.parse_args([*argv, "gui"])
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        return int(func(args) or 0)
    except BrokenPipeError:
        raise  # not a user error: main() ends quietly
    except Exception as error:  # one clear line for the user; the traceback on request
        if args.debug:
            raise
        if not _is_user_error(error):
            print(f"error: internal error: {type(error).__name__}: {error} (run with --debug)",
                  file=sys.stderr)
            return 1
        print(f"error: {_user_message(error)}", file=sys.stderr)
        return 2


def _quiet_broken_pipe() -> int:
    """The reader of stdout went away: point stdout at devnull so the exit flush cannot fail again
    (the recipe of Python's ``signal`` documentation), and exit without a message."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 1


def _is_user_error(error: Exception) -> bool:
    from ..engine.errors import EngineError

    return isinstance(error, (CliError, EngineError, OSError, ValueError))


def _user_message(error: Exception) -> str:
    """The error as one line; a failing layer also names the plugin that provides its type."""
    from ..engine.errors import LayerError

    if isinstance(error, LayerError):
        from ..plugin_system import format_layer_error

        return format_layer_error(error)
    return str(error)


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._subparsers._group_actions:  # argparse keeps sub-commands here
        return set(action.choices)
    return set()
