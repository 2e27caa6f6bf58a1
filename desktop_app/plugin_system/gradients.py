"""Gradient checks of the layers and losses third-party plugins register, once per plugin version.

A layer whose backward has the wrong sign passes every contract check (shapes, dtypes) and trains
silently wrong. So when a plugin is first loaded (after an install, an upgrade, or an edit of a
drop-in file), each of its layers is checked with ``check_layer_gradients`` (float64, its sample
input shapes, batch 3) and each loss with ``check_loss_gradients`` on a sample batch of its task.
A plugin with a failing item gets the status "suspect gradients", with the errors; it still
loads and works: the user decides. An item the check cannot run on (a layer that only takes
integer indices, say) is not suspected: its float32 contract check already passed. A project
using one of its items is warned about it (``project.suspect_plugins``).

The results are cached in ``gradient_checks.json`` in the user data folder, keyed by plugin name
and distribution version (a drop-in file: its path, size and modification time), so a start with
nothing new installed checks nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..engine.gradcheck import check_layer_gradients, check_loss_gradients, grade
from ..fileio import atomic_write_text
from ..registry import Registry
from ..settings import data_dir
from .checks import instantiate_with_defaults, sample_batch, sample_input_shapes

if TYPE_CHECKING:
    from .host import PluginHost
    from .report import PluginInfo

CACHE_FILE = "gradient_checks.json"
CHECKED_KINDS = ("layers", "losses")
SUSPECT = "suspect gradients"


def check_plugin_gradients(host: PluginHost, cache_path: Path | None = None) -> None:
    """Check every loaded third-party plugin's layers and losses (or take the cached result); set
    each plugin's ``suspect_gradients`` and the registry's table of suspect plugins."""
    path = cache_path or data_dir() / CACHE_FILE
    cache = _read_cache(path)
    changed = False
    for info in host.plugins.values():
        if info.builtin or info.state != "loaded" or not any(info.contributes.get(k) for k in CHECKED_KINDS):
            continue
        key = cache_key(info)
        if key not in cache:
            cache[key] = gradient_errors(host.registry, info)
            changed = True
        info.suspect_gradients = list(cache[key])
    host.registry.suspect_gradients = {info.name: tuple(info.suspect_gradients)
                                       for info in host.plugins.values() if info.suspect_gradients}
    if changed:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, json.dumps(cache, indent=1, sort_keys=True))
        except OSError as error:  # a read-only data folder: check again next time
            host.warn(f"could not save the plugins' gradient checks to {path}: {error}")


def cache_key(info: PluginInfo) -> str:
    """What a result stays valid for: the plugin's version, or its drop-in file as it is now."""
    if info.version:
        return f"{info.name} {info.distribution or ''} {info.version}"
    try:
        stat = os.stat(info.location)
    except OSError:
        return f"{info.name} {info.location}"
    return f"{info.name} {info.location} {stat.st_size} {stat.st_mtime_ns}"


def gradient_errors(registry: Registry, info: PluginInfo) -> list[str]:
    """One message per layer or loss of ``info`` whose gradients disagree with finite differences."""
    errors = []
    for name in info.contributes.get("layers", []):
        errors += _layer_errors(name, registry.layers[name])
    for name in info.contributes.get("losses", []):
        errors += _loss_errors(name, registry.losses[name])
    return errors


def _layer_errors(name: str, cls: type) -> list[str]:
    try:
        layer = instantiate_with_defaults(cls)
        if layer.max_inputs == 0:  # a data source: nothing flows back through it
            return []
        report = check_layer_gradients(cls, sample_input_shapes(cls, layer), config=layer.get_config())
    except Exception:  # not checkable on random float64 data: nothing to suspect
        return []
    return _failures(f"layer '{name}'", report.errors, report.tolerance)


def _loss_errors(name: str, cls: type) -> list[str]:
    try:
        loss = instantiate_with_defaults(cls)
        pred, target = sample_batch(cls.task)
        report = check_loss_gradients(loss, pred.astype(np.float64), target)
    except Exception:  # as for layers
        return []
    return _failures(f"loss '{name}'", report.errors, report.tolerance)


def _failures(subject: str, errors: dict[str, float], tolerance: float) -> list[str]:
    wrong = [f"d/d{target} relative error {error:.2e} ({grade(error)})"
             for target, error in errors.items() if not error <= tolerance]
    if not wrong:
        return []
    return [f"{subject}: backward disagrees with finite differences of forward: {', '.join(wrong)}"]


def _read_cache(path: Path) -> dict[str, list[str]]:
    """The cached results; an unreadable or malformed file counts as empty (everything is rechecked)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items()
            if isinstance(value, list) and all(isinstance(v, str) for v in value)}
