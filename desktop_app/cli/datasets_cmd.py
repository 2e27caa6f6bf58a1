"""``backprop-studio datasets``: the installed datasets, what they are, and the options they take."""

from __future__ import annotations

import argparse
import json

from ..engine.schema import ParamSpec
from ..plugin_manager import current_registry
from ..project.requirements import is_builtin_owner
from .parsing import examples


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "datasets", help="list the datasets (built-in and from plugins) and their options",
        description="List every dataset a project can name in its \"dataset\" section, with the "
        "options it accepts.",
        epilog=examples(("datasets", "names, descriptions and options"),
                        ("datasets --json", "the same, machine-readable")),
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.set_defaults(func=run_datasets)


def run_datasets(args: argparse.Namespace) -> int:
    registry = current_registry()
    entries = []
    for name in sorted(registry.datasets):
        cls = registry.datasets[name]
        owner = registry.owner("datasets", name)
        entries.append({
            "name": name,
            "category": cls.category,
            "description": cls.description,
            "plugin": None if is_builtin_owner(owner) else owner,
            "options": [spec.to_json() for spec in cls.schema],
        })
    if args.json:
        print(json.dumps({"datasets": entries}, indent=2))
        return 0
    for entry in entries:
        source = f", plugin {entry['plugin']}" if entry["plugin"] else ""
        print(f"{entry['name']}  ({entry['category']}{source})  {entry['description']}")
        for spec in registry.datasets[entry["name"]].schema:
            print(f"    {describe_option(spec)}")
    return 0


def describe_option(spec: ParamSpec) -> str:
    """``noise: float = 0.2 (0.0..10.0)  angular noise of the arms``."""
    kind = f"one of {list(spec.choices)}" if spec.choices else spec.kind
    default = "required" if spec.required else f"= {json.dumps(spec.to_json()['default'])}"
    bounds = ""
    if spec.minimum is not None or spec.maximum is not None:
        bounds = f" ({_bound(spec.minimum)}..{_bound(spec.maximum)})"
    return f"{spec.name}: {kind} {default}{bounds}  {spec.doc}".rstrip()


def _bound(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
