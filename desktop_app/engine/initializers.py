"""Built-in initializers: He and Glorot (uniform, normal), zeros and ones.

The layer computes fan-in and fan-out (Dense: in/out features; Conv2D: in_channels*kh*kw and
filters*kh*kw) because only it knows which axes of a parameter are inputs and which are outputs.
The normal variants draw from an untruncated normal distribution.
"""

from __future__ import annotations

import numpy as np

from .initializer import Initializer
from .schema import ParamSpec


class HeUniform(Initializer):
    type_name = "he_uniform"
    description = "Uniform in ±sqrt(6 / fan_in): keeps activation variance through ReLU layers."

    def __call__(self, shape, fan_in, fan_out, rng):
        limit = np.sqrt(6.0 / fan_in)
        return rng.uniform(-limit, limit, size=shape)


class HeNormal(Initializer):
    type_name = "he_normal"
    description = "Normal with std sqrt(2 / fan_in): keeps activation variance through ReLU layers."

    def __call__(self, shape, fan_in, fan_out, rng):
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


class GlorotUniform(Initializer):
    type_name = "glorot_uniform"
    description = "Uniform in ±sqrt(6 / (fan_in + fan_out)): balanced for tanh and sigmoid layers."

    def __call__(self, shape, fan_in, fan_out, rng):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=shape)


class GlorotNormal(Initializer):
    type_name = "glorot_normal"
    description = "Normal with std sqrt(2 / (fan_in + fan_out)): balanced for tanh and sigmoid layers."

    def __call__(self, shape, fan_in, fan_out, rng):
        return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=shape)


class Zeros(Initializer):
    type_name = "zeros"
    description = "All zeros (the usual bias initializer)."

    def __call__(self, shape, fan_in, fan_out, rng):
        return np.zeros(shape)


class Ones(Initializer):
    type_name = "ones"
    description = "All ones (BatchNorm's scale starts here)."

    def __call__(self, shape, fan_in, fan_out, rng):
        return np.ones(shape)


BUILTIN_INITIALIZERS: tuple[type[Initializer], ...] = (
    HeUniform,
    HeNormal,
    GlorotUniform,
    GlorotNormal,
    Zeros,
    Ones,
)

_BY_NAME: dict[str, type[Initializer]] = {cls.type_name: cls for cls in BUILTIN_INITIALIZERS}
INITIALIZER_NAMES: tuple[str, ...] = tuple(_BY_NAME)


def initializer_spec(name: str, default: str, doc: str) -> ParamSpec:
    """The schema entry a layer uses to let the user pick one of the built-in initializers."""
    return ParamSpec(name, "choice", default, doc, choices=INITIALIZER_NAMES)


def initialize(
    name: str, shape: tuple[int, ...], fan_in: int, fan_out: int, rng: np.random.Generator
) -> np.ndarray:
    """A new array from the built-in initializer called ``name``."""
    return _BY_NAME[name]()(shape, fan_in, fan_out, rng)
