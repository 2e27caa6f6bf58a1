"""The built-in layers, one small module per family; ``BUILTIN_LAYERS`` is what the registry loads."""

from __future__ import annotations

from ..graph import Input
from ..layer import Layer
from .activations import ELU, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .batchnorm import BatchNorm
from .conv import Conv2D
from .dense import Dense
from .dropout import Dropout
from .merge import Add, Concatenate
from .pooling import AvgPool2D, MaxPool2D
from .reshaping import Flatten, Reshape

BUILTIN_LAYERS: tuple[type[Layer], ...] = (
    Input,
    Dense,
    Conv2D,
    MaxPool2D,
    AvgPool2D,
    Flatten,
    Reshape,
    Dropout,
    BatchNorm,
    ReLU,
    LeakyReLU,
    ELU,
    GELU,
    Sigmoid,
    Tanh,
    Softmax,
    Add,
    Concatenate,
)

__all__ = [cls.__name__ for cls in BUILTIN_LAYERS] + ["BUILTIN_LAYERS"]
