"""The argument parser every ``backprop-studio`` command uses: argparse, with two additions.

A misspelled choice (``backprop-studio trian``, ``plugins lsit``) gets a "did you mean" hint, as a
misspelled type in a project does. Help texts end with usage examples: indented lines in an
epilog are printed as written, while the prose around them is wrapped to the terminal as usual.
Sub-command parsers are made with the class of their parent, so both apply to every level.
"""

from __future__ import annotations

import argparse
import difflib
from typing import Any


class ExampleFormatter(argparse.HelpFormatter):
    """argparse's formatter, except that indented lines (command examples) are kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines = []
        for line in text.splitlines():
            if line.startswith(" "):
                lines.append(indent + line)
            elif line:
                lines.append(super()._fill_text(line, width, indent))
            else:
                lines.append("")
        return "\n".join(lines)


class CliParser(argparse.ArgumentParser):
    """An ArgumentParser whose help keeps examples and whose invalid choices say "did you mean"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ExampleFormatter)
        super().__init__(*args, **kwargs)

    def _check_value(self, action: argparse.Action, value: Any) -> None:  # argparse's choice check
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as error:
            choices = [str(choice) for choice in action.choices or ()]
            close = difflib.get_close_matches(str(value), choices, n=1)
            if not close:
                raise
            raise argparse.ArgumentError(
                action, f"invalid choice: '{value}' (did you mean '{close[0]}'?); choose from "
                        f"{', '.join(choices)}"
            ) from error


def examples(*commands: tuple[str, str]) -> str:
    """An epilog of ``(arguments, what they do)`` pairs: ``backprop-studio ARGUMENTS  # what``."""
    lines = [f"backprop-studio {arguments}".rstrip() for arguments, _ in commands]
    width = max(map(len, lines))
    return "examples:\n" + "\n".join(f"  {line.ljust(width)}  # {what}"
                                      for line, (_, what) in zip(lines, commands, strict=True))
