"""Auto-layout: nodes in rows by depth (longest path from an input), top to bottom.

A plain stack becomes one straight column; branches sit side by side in the row of their depth,
ordered by where their inputs are so edges cross as little as a simple heuristic allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import style


def layered_positions(inputs: Mapping[str, Sequence[str]]) -> dict[str, tuple[float, float]]:
    """Top-left positions for nodes given as ``{name: [input names]}`` (in display order)."""
    depth = _depths(inputs)
    rows: dict[int, list[str]] = {}
    for name in inputs:
        rows.setdefault(depth[name], []).append(name)
    column: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    for row_index in sorted(rows):
        row = sorted(rows[row_index], key=lambda n: _barycenter(n, inputs, column))
        width = style.NODE_WIDTH + style.COLUMN_SPACING
        for index, name in enumerate(row):
            column[name] = index - (len(row) - 1) / 2.0
            x = column[name] * width - style.NODE_WIDTH / 2
            positions[name] = (x, row_index * (style.NODE_HEIGHT + style.LAYER_SPACING))
    return positions


def _depths(inputs: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Longest distance from a node without inputs; a cycle stops growing after len(nodes) passes."""
    depth = dict.fromkeys(inputs, 0)
    for _ in range(len(inputs)):
        changed = False
        for name, sources in inputs.items():
            known = [depth[s] + 1 for s in sources if s in depth]
            new = min(max(known, default=0), len(inputs))
            if new != depth[name]:
                depth[name], changed = new, True
        if not changed:
            break
    return depth


def _barycenter(name: str, inputs: Mapping[str, Sequence[str]], column: Mapping[str, float]) -> float:
    placed = [column[s] for s in inputs[name] if s in column]
    return sum(placed) / len(placed) if placed else 0.0
