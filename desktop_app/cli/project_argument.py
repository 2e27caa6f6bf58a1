"""``backprop-studio PROJECT``: a project named without a command opens the window on it.

A file manager's "open with" and a user typing a path both give the project alone; this puts
``gui`` before it, so it opens as ``backprop-studio gui PROJECT`` does (and a project that cannot
be opened is that command's one ``error:`` line). A word that names no file and no shipped
example and has neither a folder nor a suffix (``trian``) is taken for a mistyped command and
left to argparse, which names the commands and the closest one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from ..project.examples import EXAMPLES

GUI = "gui"


def with_command(argv: Sequence[str], commands: Collection[str]) -> list[str]:
    """``argv`` with ``gui`` put before a project named where the command goes.

    Global options (``--debug``, ``--safe-mode``) take no value, so the first word that is not an
    option is where the command goes."""
    words = list(argv)
    if GUI not in commands:
        return words
    for index, word in enumerate(words):
        if word.startswith("-"):
            continue
        if word in commands or not names_a_project(word):
            return words
        return [*words[:index], GUI, *words[index:]]
    return words


def names_a_project(word: str) -> bool:
    """Whether ``word``, given where a command goes, is meant as a project: an existing file or
    folder, a shipped example, or a path by its form (a folder part or a suffix)."""
    path = Path(word)
    return path.exists() or word in EXAMPLES or bool(path.suffix) or "/" in word or "\\" in word
