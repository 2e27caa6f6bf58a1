"""The ``backprop-studio`` program and ``python -m desktop_app``.

A module that imports nothing of ours but the command line, inside a ``try``: a Ctrl-C pressed
while the command line's modules still load ends the program as one pressed later does
(``interrupted``, exit code 130), not with a traceback.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130  # as shells report a Ctrl-C


def run() -> None:
    try:
        from .cli import run as run_command_line
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    run_command_line()
