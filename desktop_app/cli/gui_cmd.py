"""``backprop-studio gui [PROJECT]`` (also what ``backprop-studio`` alone runs): open the window."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gui", help="open the window (the default command)",
        description="Open the designer window on PROJECT, or on the built-in example project.",
    )
    parser.add_argument("project", metavar="PROJECT", nargs="?", help="a project file (.bps.json) to open")
    parser.set_defaults(func=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    from ..gui.app import run  # Qt loads only when the window is wanted

    return run(args.project)
