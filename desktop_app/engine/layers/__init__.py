"""The built-in layers, one small module per family; ``BUILTIN_LAYERS`` is what the registry loads."""

from __future__ import annotations

from ..graph import Input
from ..layer import Layer
from .activations import ELU, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .dense import Dense

BUILTIN_LAYERS: tuple[type[Layer], ...] = (
    Input,
    Dense,
    ReLU,
    LeakyReLU,
    ELU,
    GELU,
    Sigmoid,
    Tanh,
    Softmax,
)

__all__ = [cls.__name__ for cls in BUILTIN_LAYERS] + ["BUILTIN_LAYERS"]
