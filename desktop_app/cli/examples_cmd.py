"""``backprop-studio examples [list]`` and ``examples copy NAME [DIR]``: the shipped example projects.

Every command that takes PROJECT also takes an example's name, but the shipped file lives inside
the installed package: ``copy`` puts an editable copy where the user works (as ``git clone`` does,
it creates DIR when missing and never writes over an existing file).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..fileio import atomic_write
from ..project import EXAMPLES, PROJECT_SUFFIX, example_path, load_project
from .errors import CliError
from .parsing import examples


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "examples", help="list the shipped example projects, or copy one to edit",
        description="The example projects shipped with Backprop Studio. Any command that takes "
        "PROJECT also takes an example's name (backprop-studio train spiral_mlp); 'copy' gives you "
        "a file of your own to edit.",
        epilog=examples(("examples", "name and description of each example"),
                        ("examples copy spiral_mlp", "./spiral_mlp.bps.json to edit"),
                        ("examples copy spiral_mlp work", "work/spiral_mlp.bps.json")),
    )
    parser.set_defaults(func=run_list)
    actions = parser.add_subparsers(dest="examples_action", metavar="ACTION")
    actions.add_parser("list", help="one line per example: its name and what it shows (the default)")
    copy = actions.add_parser(
        "copy", help="copy an example's project file into DIR to edit",
        description="Copy a shipped example to DIR/NAME.bps.json (DIR is created if missing), or to "
        "DIR itself when it ends in .bps.json. An existing file is never replaced.",
        epilog=examples(("examples copy xor_mlp", "./xor_mlp.bps.json"),
                        ("examples copy xor_mlp mine", "mine/xor_mlp.bps.json"),
                        ("examples copy xor_mlp my_xor.bps.json", "./my_xor.bps.json")),
    )
    copy.add_argument("name", metavar="NAME", help="the example's name, as 'examples' lists it")
    copy.add_argument("dir", metavar="DIR", nargs="?", default=".",
                      help=f"the folder to copy it into (default: the current folder), or a file name "
                      f"ending in {PROJECT_SUFFIX}")
    copy.set_defaults(func=run_copy)


def run_list(args: argparse.Namespace) -> int:
    width = max(map(len, EXAMPLES))
    for name in EXAMPLES:
        print(f"{name:<{width}}  {load_project(example_path(name)).description}")
    return 0


def run_copy(args: argparse.Namespace) -> int:
    if args.name not in EXAMPLES:
        raise CliError(f"no shipped example named '{args.name}'. Expected one of: {', '.join(EXAMPLES)}")
    given = Path(args.dir)
    target = given if given.name.endswith(PROJECT_SUFFIX) else given / f"{args.name}{PROJECT_SUFFIX}"
    folder = target.parent
    if target.exists():
        raise CliError(f"{target} already exists; not replaced (copy into another DIR, or remove it first)")
    if folder.exists() and not folder.is_dir():
        raise CliError(f"DIR: {folder} exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CliError(f"DIR: cannot create the folder {folder} ({error.strerror})") from None
    text = example_path(args.name).read_bytes()
    atomic_write(target, lambda handle: handle.write(text))
    print(f"copied the example {args.name} to {target}")
    print(f"train it with: backprop-studio train {target}")
    return 0
