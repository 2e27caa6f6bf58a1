"""What ``train`` says about the run's health: ``warning:`` lines, or one JSON document for scripts.

``--health json`` writes the hints and the per-layer figures (see engine.health) to stdout as one
JSON document and moves the command's other stdout lines to stderr, so the output pipes into a
JSON reader as it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from ..engine.health import HealthMonitor, diagnose

FORMATS = ("warnings", "json")


def add_health_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--health", choices=FORMATS, default="warnings",
                        help="how to report the run's health hints (see docs/health.md): 'warnings' "
                        "prints them as warning: lines on stderr, 'json' writes them and the per-layer "
                        "figures to stdout as one JSON document (default: warnings)")


def report_stream(args: argparse.Namespace) -> TextIO:
    """Where the command's own result lines go: stderr when stdout carries the JSON document."""
    return sys.stderr if args.health == "json" else sys.stdout


def report_health(monitor: HealthMonitor, args: argparse.Namespace, failed: bool = False) -> None:
    """The hints of the run ``monitor`` watched. A ``failed`` run (non-finite loss) says why in its
    one error line; then only the JSON document is written."""
    if failed and args.health != "json":
        return
    record = monitor.record()
    hints = diagnose(record)
    if args.health == "json":
        document = {"hints": [hint.to_json() for hint in hints], "figures": record.to_json()}
        print(json.dumps(document, allow_nan=False))
        return
    for hint in hints:
        print(f"warning: {hint.line()}", file=sys.stderr)
