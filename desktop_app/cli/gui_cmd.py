"""``backprop-studio gui [PROJECT]`` (also what ``backprop-studio`` alone runs): open the window.

The project and the display are checked before Qt starts: a project that cannot be opened, or a
machine without a display, is one ``error:`` line (exit code 2). Qt itself would abort the process
(exit code 134, with several lines about platform plugins) when it finds no display.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping

from ..project.examples import default_example_path
from ..project.files import load_project
from .errors import CliError
from .locations import PROJECT_HELP, project_file

NO_DISPLAY = "no display found (set DISPLAY, or QT_QPA_PLATFORM=offscreen for a headless run)"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gui", help="open the window (the default command)",
        description="Open the designer window on PROJECT, or on the built-in example project.",
    )
    parser.add_argument("project", metavar="PROJECT", nargs="?",
                        help=f"{PROJECT_HELP}; default: the built-in example")
    parser.set_defaults(func=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    path = project_file(args.project) if args.project else None
    project = load_project(path or default_example_path())
    problem = missing_display(os.environ, sys.platform)
    if problem:
        raise CliError(problem)
    from ..gui.app import run  # Qt loads only when the window is wanted

    return run(project, path)


def missing_display(environ: Mapping[str, str], platform: str) -> str | None:
    """Why Qt would find no display here, or None.

    Only X11/Wayland systems (everything but Windows and macOS) need a display server; a backend
    chosen through ``QT_QPA_PLATFORM`` (offscreen, vnc, ...) is the user's call and is left to Qt.
    """
    if platform in ("win32", "darwin") or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return NO_DISPLAY
