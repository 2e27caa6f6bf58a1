"""``backprop-studio datasets``: the installed datasets, what they are, the options they take, and
for the built-in ones the features a sample holds (their order and ranges): what ``predict`` reads.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from ..data import DatasetSource
from ..engine.schema import ParamSpec
from ..plugin_system import current_registry
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
            "features": feature_ranges(cls) if is_builtin_owner(owner) else None,
        })
    if args.json:
        print(json.dumps({"datasets": entries}, indent=2))
        return 0
    for entry in entries:
        source = f", plugin {entry['plugin']}" if entry["plugin"] else ""
        print(f"{entry['name']}  ({entry['category']}{source})  {entry['description']}")
        for spec in registry.datasets[entry["name"]].schema:
            print(f"    {describe_option(spec)}")
        if entry["features"]:
            print(f"    {describe_features(entry['features'])}")
    return 0


#: Up to this many features are listed one by one; more (image pixels) are summarized.
LISTED_FEATURES = 8


def feature_ranges(cls: type[DatasetSource]) -> list[dict[str, object]] | None:
    """Each feature of the dataset made with its default options, in sample order: its name (None
    when unnamed) and range. None for a dataset that needs options (the file importers)."""
    if any(spec.required for spec in cls.schema):
        return None
    dataset = cls().load()
    x = dataset.x.reshape(len(dataset), -1)
    names = dataset.feature_names or (None,) * x.shape[1]
    return [{"name": name, "min": _number(low), "max": _number(high)}
            for name, low, high in zip(names, x.min(axis=0), x.max(axis=0), strict=True)]


def describe_features(features: list[dict[str, object]]) -> str:
    """``features (in this order; ranges with the default options): x1 -1..1, x2 -1..1``."""
    heading = "features (in this order; ranges with the default options): "
    if len(features) <= LISTED_FEATURES and all(feature["name"] for feature in features):
        return heading + ", ".join(f"{feature['name']} {_range(feature['min'], feature['max'])}"
                                   for feature in features)
    low = min(feature["min"] for feature in features)
    high = max(feature["max"] for feature in features)
    return f"{heading}{len(features)} values, each within {_range(low, high)}"


def _number(value: np.floating) -> float:
    """A float32 as the shortest float that reads back as it (0.99, not 0.9900000095367432)."""
    return float(np.format_float_positional(value, trim="-"))


def _range(low: float, high: float) -> str:
    return f"{np.format_float_positional(low, precision=3, trim='-')}.." \
           f"{np.format_float_positional(high, precision=3, trim='-')}"


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
