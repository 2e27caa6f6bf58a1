"""Generated toy datasets: 2-D classification problems and a 1-D regression, seeded.

Each generator is a plain function returning (x float32, y); each source wraps one with an
options schema. The same options and seed always give the same points.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..engine.schema import ParamSpec, schema
from .dataset import Dataset
from .source import DatasetSource

N_SAMPLES = ParamSpec("n_samples", "int", 300, "number of points", minimum=4, maximum=1_000_000)
SEED = ParamSpec("seed", "int", 0, "the same seed gives the same points", minimum=0)
CLASSES = ParamSpec("classes", "int", 3, "number of classes", minimum=2, maximum=10)
FEATURES = ("x1", "x2")


def _noise(value: float, doc: str = "standard deviation of the Gaussian noise added") -> ParamSpec:
    return ParamSpec("noise", "float", value, doc, minimum=0.0, maximum=10.0)


def _class_sizes(n_samples: int, classes: int) -> list[int]:
    """Split n_samples as evenly as possible, the first classes taking the remainder."""
    base, extra = divmod(n_samples, classes)
    return [base + (1 if k < extra else 0) for k in range(classes)]


def _labels(sizes: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def make_spiral(n_samples: int, classes: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the classic CS231n toy problem)."""
    rng = np.random.default_rng(seed)
    sizes = _class_sizes(n_samples, classes)
    parts = []
    for k, size in enumerate(sizes):
        radius = np.linspace(0.0, 1.0, size)
        angle = np.linspace(k * 4.0, (k + 1) * 4.0, size) + rng.normal(0.0, noise, size)
        parts.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
    return np.concatenate(parts).astype(np.float32), _labels(sizes)


def make_moons(n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles."""
    rng = np.random.default_rng(seed)
    sizes = _class_sizes(n_samples, 2)
    upper = np.linspace(0.0, np.pi, sizes[0])
    lower = np.linspace(0.0, np.pi, sizes[1])
    x = np.concatenate([
        np.column_stack([np.cos(upper), np.sin(upper)]),
        np.column_stack([1.0 - np.cos(lower), 0.5 - np.sin(lower)]),
    ])
    x += rng.normal(0.0, noise, x.shape)
    return x.astype(np.float32), _labels(sizes)


def make_circles(n_samples: int, noise: float, factor: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (class 1) inside a large one (class 0); ``factor`` is the radius ratio."""
    rng = np.random.default_rng(seed)
    sizes = _class_sizes(n_samples, 2)
    parts = []
    for radius, size in zip((1.0, factor), sizes, strict=True):
        angle = np.linspace(0.0, 2.0 * np.pi, size, endpoint=False)
        parts.append(radius * np.column_stack([np.cos(angle), np.sin(angle)]))
    x = np.concatenate(parts)
    x += rng.normal(0.0, noise, x.shape)
    return x.astype(np.float32), _labels(sizes)


def make_xor(n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in [-1, 1]^2, class 1 where exactly one coordinate is positive; noise jitters them."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n_samples, 2))
    y = ((x[:, 0] > 0) != (x[:, 1] > 0)).astype(np.int64)
    x += rng.normal(0.0, noise, x.shape)
    return x.astype(np.float32), y


def make_blobs(n_samples: int, classes: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters with centres evenly spaced on a circle of radius 4."""
    rng = np.random.default_rng(seed)
    sizes = _class_sizes(n_samples, classes)
    angles = 2.0 * np.pi * np.arange(classes) / classes
    centres = 4.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    x = np.concatenate(
        [rng.normal(centre, noise, (size, 2)) for centre, size in zip(centres, sizes, strict=True)]
    )
    return x.astype(np.float32), _labels(sizes)


def make_sine(n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """y = sin(x) + noise for x uniform in [-pi, pi]: x (N, 1), y (N, 1)."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-np.pi, np.pi, n_samples)).reshape(-1, 1)
    y = np.sin(x) + rng.normal(0.0, noise, x.shape)
    return x.astype(np.float32), y.astype(np.float32)


class _ToySource(DatasetSource):
    """A generated 2-D classification toy: its options go straight to ``generator``."""

    category = "Generated"
    generator: Callable[..., tuple[np.ndarray, np.ndarray]]

    def load(self) -> Dataset:
        x, y = self.generator(**self.config)
        classes = int(y.max()) + 1
        return Dataset(x, y, self.type_name, tuple(f"class {k}" for k in range(classes)), FEATURES,
                       self.description)


class Spiral(_ToySource):
    type_name = "spiral"
    description = "Interleaved spiral arms, one per class: needs a non-linear boundary."
    schema = schema(N_SAMPLES, CLASSES, _noise(0.2, "angular noise of the arms"), SEED)

    generator = staticmethod(make_spiral)


class Moons(_ToySource):
    type_name = "moons"
    description = "Two interleaving half circles (binary)."
    schema = schema(N_SAMPLES, _noise(0.1), SEED)

    generator = staticmethod(make_moons)


class Circles(_ToySource):
    type_name = "circles"
    description = "A small circle inside a large one (binary)."
    schema = schema(
        N_SAMPLES, _noise(0.05),
        ParamSpec("factor", "float", 0.5, "radius of the inner circle relative to the outer",
                  minimum=0.01, maximum=0.99),
        SEED,
    )

    generator = staticmethod(make_circles)


class Xor(_ToySource):
    type_name = "xor"
    description = "XOR of the signs of two coordinates (binary): not linearly separable."
    schema = schema(N_SAMPLES, _noise(0.0), SEED)

    generator = staticmethod(make_xor)


class Blobs(_ToySource):
    type_name = "blobs"
    description = "Gaussian clusters, one per class, centred on a circle."
    schema = schema(N_SAMPLES, CLASSES, _noise(0.8, "standard deviation of each cluster"), SEED)

    generator = staticmethod(make_blobs)


class Sine(DatasetSource):
    type_name = "sine"
    category = "Generated"
    description = "1-D regression: y = sin(x) + noise for x in [-pi, pi]."
    schema = schema(N_SAMPLES, _noise(0.1), SEED)

    def load(self) -> Dataset:
        x, y = make_sine(**self.config)
        return Dataset(x, y, self.type_name, feature_names=("x",), description=self.description)


TOY_DATASETS: tuple[type[DatasetSource], ...] = (Spiral, Moons, Circles, Xor, Blobs, Sine)
