"""Reading and writing ``*.bps.json`` project files: parse, migrate, validate; save atomically.

Loading is plain JSON (NaN, Infinity and duplicate keys refused; a UTF-8 byte order mark is
skipped), so opening a project never runs code. Saving writes a temp file and replaces the old
one, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..fileio import atomic_write_text
from ..registry import Registry
from .document import Project
from .errors import ProjectError
from .migrations import migrate
from .requirements import record_plugins
from .validation import json_path, validate_project

PROJECT_SUFFIX = ".bps.json"


# Deeper JSON than any project needs is refused before it can exhaust Python's recursion limit.
MAX_NESTING = 64
TOO_DEEP = f"nested more than {MAX_NESTING} levels deep; a project never needs that"
SHOWN_LEVELS = 6  # of the JSON path of a too deep value


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's keys, each once: JSON's "last one wins" would silently drop a setting."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"the key '{key}' appears twice in one object; keep one")
        data[key] = value
    return data


def parse_project(text: str, source: str, path: Path | None = None) -> Project:
    """A Project from a file's text; ``source`` names it in errors (and in the project's messages)."""
    try:
        data = json.loads(text.removeprefix("\ufeff"), parse_constant=_refuse_constant,
                          object_pairs_hook=_refuse_duplicates)
    except json.JSONDecodeError as error:
        raise ProjectError(f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
                           source) from None
    except ValueError as error:
        raise ProjectError(f"not valid JSON: {error}", source) from None
    except RecursionError:
        raise ProjectError(TOO_DEEP, source) from None
    _check_nesting(data, source)
    current = migrate(data, source)
    validate_project(current, source)
    project = Project.from_json(current, path)
    project.source = source
    return project


def _check_nesting(data: Any, source: str) -> None:
    """Refuse values nested deeper than MAX_NESTING, naming the JSON path where it happens."""
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while pending:
        value, where = pending.pop()
        if len(where) > MAX_NESTING:
            raise ProjectError(TOO_DEEP, source, json_path(where[:SHOWN_LEVELS]) + "...")
        if isinstance(value, dict):
            pending += [(item, (*where, key)) for key, item in value.items()]
        elif isinstance(value, list):
            pending += [(item, (*where, index)) for index, item in enumerate(value)]


def load_project(path: str | os.PathLike) -> Project:
    """Read, migrate and validate a project file; errors name the file (as given) and the JSON path."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ProjectError(f"not UTF-8 text ({error.reason} at byte {error.start})", str(source)) from None
    except OSError as error:
        raise ProjectError(f"cannot read the project file ({error.strerror})", str(source)) from None
    return parse_project(text, str(source), source.resolve())


# Objects and arrays of plain values that fit in this many characters stay on one line.
INLINE_WIDTH = 72


def dumps_project(project: Project) -> str:
    """The file text: 2-space indentation, fixed key order, a final newline.

    Short containers at most two levels deep (``{"x": 180, "y": 0}``, ``{"shape": [2]}``) stay on
    one line, so the file reads like a hand-written one and a changed value changes one line.
    """
    return _format(project.to_json(), 0) + "\n"


def _depth(value: object) -> int:
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        return 0
    return 1 + max((_depth(item) for item in value), default=0)


def _format(value: object, level: int) -> str:
    compact = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
    if not isinstance(value, (dict, list)) or (_depth(value) <= 2 and len(compact) <= INLINE_WIDTH):
        return compact
    inner = "  " * (level + 1)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(key, ensure_ascii=False)}: {_format(item, level + 1)}"
                 for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    items = [f"{inner}{_format(item, level + 1)}" for item in value]
    return "[\n" + ",\n".join(items) + "\n" + "  " * level + "]"


def save_project(
    project: Project, path: str | os.PathLike | None = None, registry: Registry | None = None
) -> Path:
    """Validate, then write atomically to ``path`` (default: where it was loaded from); returns it.

    With a ``registry``, first record the plugin behind each non-built-in type the project uses.
    """
    target = Path(path) if path is not None else project.path
    if target is None:
        raise ProjectError("the project has never been saved; give a file name")
    if registry is not None:
        record_plugins(project, registry)
    data = project.to_json()
    validate_project(data, str(target))
    atomic_write_text(target, dumps_project(project))
    project.path = target.resolve()
    project.source = str(target)
    return target
