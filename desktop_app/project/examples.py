"""The example projects shipped in resources/examples/, and the one the app opens by default."""

from __future__ import annotations

from pathlib import Path

from ..paths import EXAMPLES_DIR
from .errors import ProjectError
from .files import PROJECT_SUFFIX

EXAMPLES: tuple[str, ...] = (
    "spiral_mlp",
    "xor_mlp",
    "sine_regression",
    "digits_mlp",
    "digits_cnn",
    "residual_mlp",
)
DEFAULT_EXAMPLE = "digits_mlp"


def example_path(name: str) -> Path:
    """The file of a shipped example, by name (``digits_mlp``)."""
    if name not in EXAMPLES:
        raise ProjectError(f"no example project named '{name}'. Expected one of: {list(EXAMPLES)}")
    return EXAMPLES_DIR / f"{name}{PROJECT_SUFFIX}"


def default_example_path() -> Path:
    return example_path(DEFAULT_EXAMPLE)
