"""The memory budget: a model is sized from its inferred shapes and refused before anything is allocated.

A typo such as ``units: 1000000000`` would otherwise make ``build`` allocate tens of GiB (and the
window validates on every edit). The estimate counts each weight four times (its value, its
gradient and the optimizer's state: Adam keeps two moments per weight) and each node's output
twice per sample of a batch (the value and its gradient during backward).
Layers tell their weights' shapes through ``Layer.weight_shapes``; a layer that does not is counted
by its outputs only. See docs/engine.md, "Memory budget".
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError, GraphError
from .layer import Shape

MEMORY_LIMIT_ENV = "BACKPROP_STUDIO_MEMORY_LIMIT"
# Where the system does not report its memory (os.sysconf is POSIX-only).
FALLBACK_BUDGET = 4 * 2**30
# A weight's value, its gradient and the optimizer's state (Adam's two moments, the most any
# built-in optimizer keeps).
WEIGHT_COPIES = 4
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
_LIMIT_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class MemoryBudget:
    """How many bytes a model (or an array read from a file) may take, and where that figure comes from."""

    limit: int
    origin: str

    def describe(self) -> str:
        return f"{format_bytes(self.limit)} ({self.origin})"


def memory_budget(environ: Mapping[str, str] | None = None) -> MemoryBudget:
    """Half of this machine's memory, or ``BACKPROP_STUDIO_MEMORY_LIMIT`` ("512M", "8GiB", bytes)."""
    value = (os.environ if environ is None else environ).get(MEMORY_LIMIT_ENV, "").strip()
    if value:
        match = _LIMIT_PATTERN.match(value)
        if match is None:
            raise ConfigError(f"{MEMORY_LIMIT_ENV} must be a size such as 512M or 8GiB. Received: {value!r}")
        limit = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
        return MemoryBudget(limit, f"set by {MEMORY_LIMIT_ENV}")
    total = physical_memory()
    if total is None:
        return MemoryBudget(FALLBACK_BUDGET, f"the system does not report its memory; see {MEMORY_LIMIT_ENV}")
    return MemoryBudget(total // 2, "half of this machine's memory")


def physical_memory() -> int | None:
    """The machine's RAM in bytes, where the system reports it (Linux, macOS)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def format_bytes(count: int) -> str:
    """``29.8 GiB``: binary units, one decimal."""
    size, unit = float(count), "bytes"
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            break
        size /= 1024
    return f"{count} bytes" if unit == "bytes" else f"{size:.1f} {unit}"


@dataclass(frozen=True)
class NodeMemory:
    """One node's share: how many weights it creates, how many values it outputs per sample."""

    name: str
    type_name: str
    weights: int
    values_per_sample: int

    @classmethod
    def of(cls, name: str, type_name: str, weight_shapes: Mapping[str, Shape], output: Shape) -> NodeMemory:
        weights = sum(math.prod(shape) for shape in weight_shapes.values())
        return cls(name, type_name, weights, math.prod(output))

    def bytes(self, batch_size: int, itemsize: int) -> int:
        return (WEIGHT_COPIES * self.weights + 2 * batch_size * self.values_per_sample) * itemsize


def check_memory(
    nodes: Sequence[NodeMemory], batch_size: int, dtype: np.dtype, budget: MemoryBudget | None = None
) -> None:
    """Raise GraphError naming the largest node when the model would not fit the budget."""
    budget = budget or memory_budget()
    itemsize = np.dtype(dtype).itemsize
    need = sum(node.bytes(batch_size, itemsize) for node in nodes)
    if need <= budget.limit:
        return
    largest = max(nodes, key=lambda node: node.bytes(batch_size, itemsize))
    own = largest.bytes(batch_size, itemsize)
    batch = "one sample" if batch_size == 1 else f"a batch of {batch_size:,}"
    counts = (f"{largest.weights:,} weights and {largest.values_per_sample:,} outputs per sample "
              f"would need {format_bytes(own)} in {np.dtype(dtype).name} for {batch}")
    whole = "" if own > budget.limit else f"; the whole model would need {format_bytes(need)}"
    raise GraphError(
        f"node '{largest.name}' ({largest.type_name}): {counts}{whole}; the limit is {budget.describe()}",
        node=largest.name,
    )
