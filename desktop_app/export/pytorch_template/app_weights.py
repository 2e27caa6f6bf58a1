"""Weights in both forms: this network's ``state_dict`` (``.pt``) and Backprop Studio's arrays keyed
``node/param`` (``.npz``, which the app opens), converted through ``model.APP_WEIGHTS``.

Loading never runs code from the file: ``.pt`` files are read with ``weights_only=True`` and
``.npz`` files without pickles.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

# app key -> (state_dict key, whether the array is transposed: Dense kernels are inputs x outputs in
# the app, outputs x inputs in nn.Linear)
Table = dict[str, tuple[str, bool]]


def read_weights(path: Path, module: nn.Module, table: Table) -> None:
    """Load ``path`` (a ``.pt`` state_dict or the app's ``.npz``) into ``module``; ValueError names
    the file and what does not fit."""
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as arrays:
            state = state_from_app(dict(arrays), table, path)
    else:
        state = torch.load(path, map_location="cpu", weights_only=True)
    # num_batches_tracked counts BatchNorm's batches; the app keeps no such count.
    result = module.load_state_dict(state, strict=False) if isinstance(state, dict) else None
    if result is None:
        raise ValueError(f"{path}: expected a state_dict (a dict of tensors)")
    missing = [key for key in result.missing_keys if not key.endswith("num_batches_tracked")]
    if missing or result.unexpected_keys:
        raise ValueError(f"{path}: the weights do not fit this network: missing {missing or 'none'}, "
                         f"not in the network {result.unexpected_keys or 'none'}")


def state_from_app(arrays: dict[str, np.ndarray], table: Table, source: Path) -> dict[str, torch.Tensor]:
    """The state_dict entries of the app's ``node/param`` arrays."""
    missing, unknown = sorted(set(table) - set(arrays)), sorted(set(arrays) - set(table))
    if missing or unknown:
        raise ValueError(f"{source}: the weights do not fit this network: missing {missing or 'none'}, "
                         f"not in the network {unknown or 'none'}")
    return {name: torch.from_numpy(np.ascontiguousarray(arrays[key].T if transposed else arrays[key]))
            for key, (name, transposed) in table.items()}


def app_arrays(module: nn.Module, table: Table) -> dict[str, np.ndarray]:
    """The module's weights keyed ``node/param``, laid out as the app keeps them."""
    state = module.state_dict()
    arrays = {}
    for key, (name, transposed) in table.items():
        value = state[name].detach().cpu().numpy()
        arrays[key] = np.ascontiguousarray(value.T if transposed else value)
    return arrays
