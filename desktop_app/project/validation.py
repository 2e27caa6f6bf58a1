"""Check a project dict against the shipped JSON Schema and the graph's own rules, before use.

Errors name the file and the JSON path of the offending value (``$.model.nodes[2].config``).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from .errors import ProjectError

SCHEMA_FILE = "project.schema.json"


@lru_cache(maxsize=1)
def project_schema() -> dict[str, Any]:
    """The JSON Schema of the current format, as shipped in this package."""
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def json_path(parts: Iterable[str | int]) -> str:
    """``$.model.nodes[2].name`` style, as in JSONPath."""
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def check_schema(data: Any, schema: dict[str, Any], source: str) -> None:
    """Raise ProjectError for the most relevant schema violation, with its JSON path.

    Unexpected keys in the same object are named with it and a likely intended key, since a
    misspelled key ("trainig") is usually what a missing required one ("training") comes from.
    """
    errors = list(Draft202012Validator(schema).iter_errors(data))
    if not errors:
        return
    error = best_match(errors)
    shown = [error] + [other for other in errors if other is not error
                       and other.validator == "additionalProperties"
                       and other.absolute_path == error.absolute_path]
    more = f" (and {len(errors) - len(shown)} more problem(s))" if len(errors) > len(shown) else ""
    message = "; ".join(_describe(item) for item in shown)
    raise ProjectError(f"{message}{more}", source, json_path(error.absolute_path))


def _describe(error: ValidationError) -> str:
    """The schema error in words; an unexpected key is named with the closest allowed one."""
    allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict) or not allowed:
        return error.message
    problems = []
    for key in (key for key in error.instance if key not in allowed):
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"expected one of {sorted(allowed)}"
        problems.append(f"unexpected key '{key}' ({hint})")
    return "; ".join(problems)


def validate_project(data: Any, source: str) -> None:
    """The current format's schema, then unique node names and inputs/outputs that exist."""
    check_schema(data, project_schema(), source)
    nodes = data["model"]["nodes"]
    seen: dict[str, int] = {}
    for index, node in enumerate(nodes):
        if node["name"] in seen:
            raise ProjectError(
                f"node name '{node['name']}' is used twice (also by node {seen[node['name']]}); "
                "names must be unique",
                source, json_path(("model", "nodes", index, "name")),
            )
        seen[node["name"]] = index
    for index, node in enumerate(nodes):
        for position, source_name in enumerate(node.get("inputs", [])):
            if source_name not in seen:
                raise ProjectError(
                    f"node '{node['name']}' takes input from '{source_name}', which is not a node. "
                    f"Nodes: {list(seen)}",
                    source, json_path(("model", "nodes", index, "inputs", position)),
                )
    for position, output in enumerate(data["model"].get("outputs", [])):
        if output not in seen:
            raise ProjectError(f"output '{output}' is not a node. Nodes: {list(seen)}",
                               source, json_path(("model", "outputs", position)))
