"""Auto-layout: nodes in rows by depth (longest path from an input), top to bottom.

A plain stack becomes one straight column; branches sit side by side in the row of their depth,
ordered by where their inputs are so edges cross as little as a simple heuristic allows. An edge
that skips rows (a residual connection) reserves a slot in every row it crosses, as in the
Sugiyama method, so it runs beside the nodes it skips instead of behind them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from . import style


def layered_positions(inputs: Mapping[str, Sequence[str]]) -> dict[str, tuple[float, float]]:
    """Top-left positions for nodes given as ``{name: [input names]}`` (in display order)."""
    depth = _depths(inputs)
    links = _with_waypoints(inputs, depth)
    rows: dict[int, list[Hashable]] = {}
    for name in links:
        rows.setdefault(depth[name], []).append(name)
    column: dict[Hashable, float] = {}
    for row_index in sorted(rows):
        row = sorted(rows[row_index], key=lambda n: _barycenter(n, links, column))
        for index, name in enumerate(row):
            column[name] = index - (len(row) - 1) / 2.0
    width = style.NODE_WIDTH + style.COLUMN_SPACING
    height = style.NODE_HEIGHT + style.LAYER_SPACING
    return {name: (column[name] * width - style.NODE_WIDTH / 2, depth[name] * height) for name in inputs}


def _with_waypoints(inputs: Mapping[str, Sequence[str]], depth: dict) -> dict[Hashable, list[Hashable]]:
    """The links with a waypoint in every row an edge skips; ``depth`` gains the waypoints' rows."""
    links: dict[Hashable, list[Hashable]] = {name: list(sources) for name, sources in inputs.items()}
    for target, sources in inputs.items():
        for slot, source in enumerate(sources):
            if source not in depth:
                continue
            previous: Hashable = source
            for step in range(1, depth[target] - depth[source]):
                waypoint = ("waypoint", source, target, step)
                links[waypoint] = [previous]
                depth[waypoint] = depth[source] + step
                previous = waypoint
            links[target][slot] = previous
    return links


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


def _barycenter(name: Hashable, inputs: Mapping[Hashable, Sequence[Hashable]],
                column: Mapping[Hashable, float]) -> float:
    placed = [column[s] for s in inputs[name] if s in column]
    return sum(placed) / len(placed) if placed else 0.0
