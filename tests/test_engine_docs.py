"""docs/engine.md stays true: its Python blocks run, its tables and signatures match the engine."""

from __future__ import annotations

import ast
import inspect
import re

import pytest

from desktop_app.engine import (
    BUILTIN_LAYERS,
    BUILTIN_LOSSES,
    BUILTIN_METRICS,
    BUILTIN_OPTIMIZERS,
    BUILTIN_SCHEDULES,
    EarlyStopping,
    Model,
    Trainer,
)
from desktop_app.engine.gradcheck import (
    DEFAULT_TOLERANCE,
    ERROR_FLOOR,
    check_layer_gradients,
    check_loss_gradients,
    check_model_gradients,
)
from desktop_app.engine.initializers import BUILTIN_INITIALIZERS
from desktop_app.paths import REPO_ROOT

DOC_PATH = REPO_ROOT / "docs" / "engine.md"
DOC = DOC_PATH.read_text(encoding="utf-8")

TABLES = {
    "### Layers": BUILTIN_LAYERS,
    "### Losses": BUILTIN_LOSSES,
    "### Metrics": BUILTIN_METRICS,
    "### Optimizers": BUILTIN_OPTIMIZERS,
    "### Schedules": BUILTIN_SCHEDULES,
    "### Initializers": BUILTIN_INITIALIZERS,
}

SIGNATURES = {
    "Model": Model,
    "Trainer": Trainer,
    "fit": Trainer.fit,
    "EarlyStopping": EarlyStopping,
    "check_layer_gradients": check_layer_gradients,
    "check_loss_gradients": check_loss_gradients,
    "check_model_gradients": check_model_gradients,
}


def python_blocks() -> list[tuple[int, str]]:
    """Each ```python block with the line number of its first line of code."""
    blocks = []
    for match in re.finditer(r"^```python\n(.*?)^```$", DOC, flags=re.DOTALL | re.MULTILINE):
        blocks.append((DOC.count("\n", 0, match.start(1)) + 1, match.group(1)))
    return blocks


def table_rows(heading: str) -> dict[str, list[str]]:
    """The cells of the table under ``heading``, keyed by the type name in the first column."""
    section = DOC.split(f"\n{heading}\n", 1)[1]
    lines: list[str] = []
    for line in section.splitlines():
        if line.startswith("|"):
            lines.append(line)
        elif lines:
            break
    rows = {}
    for line in lines[2:]:  # past the header and the separator
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        rows[cells[0].strip("`")] = cells
    return rows


def documented_parameters(cell: str) -> dict[str, object]:
    """``name (required)`` and ``name=default`` entries of a parameters cell, as name -> default."""
    if cell == "none":
        return {}
    found: dict[str, object] = {}
    for match in re.finditer(r"`(\w+)` \(required\)|`(\w+)=([^`]*)`", cell):
        if match.group(1):
            found[match.group(1)] = "(required)"
        else:
            found[match.group(2)] = ast.literal_eval(match.group(3))
    assert found, f"unreadable parameters cell: {cell!r}"
    return found


def plain_signature(name: str, function) -> str:
    """``name(a, b, *, c=1)``: parameter names and default reprs, without annotations or self."""
    parts: list[str] = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.name == "self":
            continue
        if parameter.kind is parameter.KEYWORD_ONLY and "*" not in parts:
            parts.append("*")
        default = "" if parameter.default is parameter.empty else f"={parameter.default!r}"
        parts.append(parameter.name + default)
    return f"{name}({', '.join(parts)})"


def test_every_python_block_runs_in_order_in_one_namespace():
    blocks = python_blocks()
    assert len(blocks) >= 10, "docs/engine.md lost its examples"
    namespace: dict[str, object] = {"__name__": "docs_engine"}
    ran = 0
    for first_line, code in blocks:
        # Padded so a failure's traceback points at the line of docs/engine.md.
        exec(compile("\n" * (first_line - 1) + code, str(DOC_PATH), "exec"), namespace)
        ran += 1
    assert ran == len(blocks)
    # The blocks built and trained what the text says: the custom layer, the graphs, the checks.
    assert {"PReLU", "prelu_model", "residual", "branching", "rows"} <= set(namespace)
    assert all(row.ok for row in namespace["rows"])


def test_every_python_block_checks_its_result():
    for first_line, code in python_blocks():
        tree = ast.parse(code)
        assert any(isinstance(node, ast.Assert) for node in ast.walk(tree)), (
            f"the block at docs/engine.md line {first_line} has no assert: it would pass whatever it did"
        )


@pytest.mark.parametrize("heading", TABLES)
def test_each_table_lists_exactly_the_builtins(heading):
    rows = table_rows(heading)
    builtins = {cls.type_name: cls for cls in TABLES[heading]}
    assert sorted(rows) == sorted(builtins), f"{heading} table in docs/engine.md is out of date"
    for type_name, cls in builtins.items():
        assert rows[type_name][1] == f"`{cls.__name__}`", f"{heading}: {type_name} is {cls.__name__}"


@pytest.mark.parametrize("heading", TABLES)
def test_each_table_gives_the_schema_and_its_defaults(heading):
    rows = table_rows(heading)
    for cls in TABLES[heading]:
        expected = {
            spec.name: "(required)" if spec.required else spec.default for spec in cls.schema
        }
        assert documented_parameters(rows[cls.type_name][2]) == expected, (
            f"{heading}: the parameters of {cls.type_name} in docs/engine.md differ from its schema"
        )


@pytest.mark.parametrize("name", SIGNATURES)
def test_signatures_are_current(name):
    signature = plain_signature(name, SIGNATURES[name])
    assert f"\n    {signature}\n" in DOC, f"docs/engine.md lacks the current signature {signature}"


def test_gradient_check_constants_are_the_documented_ones():
    floor = re.search(r"error = \|a − n\| / max\(\|a\| \+ \|n\|, ([0-9.e-]+)\)", DOC)
    tolerance = re.search(r"\(([0-9.e-]+) by default, `DEFAULT_TOLERANCE`\)", DOC)
    assert floor and float(floor.group(1)) == ERROR_FLOOR
    assert tolerance and float(tolerance.group(1)) == DEFAULT_TOLERANCE
