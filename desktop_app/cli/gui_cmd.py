"""``backprop-studio gui [PROJECT]`` (also what ``backprop-studio`` alone runs): open the window.

The project, the display and the system libraries of Qt's X11 plugin are checked before Qt
starts: a project that cannot be opened, a machine without a display, or a missing library is one
``error:`` line (exit code 2). Qt itself would abort the process (exit code 134, with several lines
about platform plugins) in the last two cases.
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
from .parsing import examples
from .xcb_libraries import install_advice, missing_xcb_libraries

#: The commands that need no display, named where there is none.
HEADLESS_COMMANDS = ("train", "predict", "export", "gradcheck", "check", "lr-find", "runs", "sweep", "report",
                     "datasets", "examples")
NO_DISPLAY = ("no display found: the window needs an X11 or Wayland session (DISPLAY or WAYLAND_DISPLAY); "
              f"without one, use the headless commands: backprop-studio {', '.join(HEADLESS_COMMANDS)} "
              "(see backprop-studio --help)")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gui", help="open the window (the default command)",
        description="Open the designer window on PROJECT; without one, on the project open last "
        f"time, else on the built-in example project {default_example_path().name}.",
        epilog=examples(("gui", "the example project"), ("gui my.bps.json", "a project of yours")),
    )
    parser.add_argument("project", metavar="PROJECT", nargs="?",
                        help=f"{PROJECT_HELP}; default: the last project opened, else the built-in example")
    parser.set_defaults(func=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    path = project_file(args.project) if args.project else None
    project = load_project(path or default_example_path())
    problem = missing_display(os.environ, sys.platform)
    if problem:
        raise CliError(problem)
    if uses_xcb(os.environ, sys.platform):
        missing = missing_xcb_libraries()
        if missing:
            raise CliError(install_advice(missing))
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


def uses_xcb(environ: Mapping[str, str], platform: str) -> bool:
    """Whether Qt will open the window through its X11 (xcb) plugin: asked for by name, or the
    default where no Wayland session is running (Qt prefers Wayland where there is one)."""
    if platform in ("win32", "darwin"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM")
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return not environ.get("WAYLAND_DISPLAY")
