"""The Layer contract on NumPy arrays: output_shape, build, forward, backward, in that order.

Lifecycle (as in Keras): ``__init__(**config)`` checks hyperparameters; ``output_shape(*shapes)``
infers the output shape without running anything; ``weight_shapes(*shapes)`` names the shapes of
the parameters that ``build(*shapes, rng=...)`` then creates; ``forward(*inputs, training=...)``
computes the output and caches what backward needs (the attributes named in ``caches``);
``backward(grad)`` stores parameter gradients in ``self.grads`` and returns the gradient of the
loss with respect to each input (dL/dx = dL/dy · dy/dx). A layer file defines its methods in that
order, and each built-in layer's docstring states its chain rule in one line (Dense:
dW = xᵀ·g, db = Σg, dx = g·Wᵀ, with g = dL/dy).

Shapes never include the batch dimension: a Dense layer on 64 features has input shape ``(64,)``;
arrays passed to forward/backward carry the batch as their first axis.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .component import Component
from .errors import ShapeError

Shape = tuple[int, ...]


class Layer(Component):
    """Base class of every layer, built-in or from a plugin."""

    category: ClassVar[str] = "Core"
    min_inputs: ClassVar[int] = 1
    max_inputs: ClassVar[int | None] = 1
    # The attributes forward sets for backward (Dense: its input "_x"); nothing else is kept.
    caches: ClassVar[tuple[str, ...]] = ()
    # The chain rule as the step-through shows it; empty: the class docstring when it starts
    # "Chain rule" (every built-in's does), else a generic rule (see ``step_trace.chain_rule``).
    chain_rule: ClassVar[str] = ""

    def __init__(self, **config) -> None:
        super().__init__(**config)
        # Trainable parameters by name; optimizers update these arrays in place.
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        # Non-trainable arrays saved with the weights (BatchNorm's running statistics).
        self.state: dict[str, np.ndarray] = {}
        # False when no input needs a gradient (the layer reads the data directly): skips dL/dx.
        self.input_grad_needed: bool = True
        self.dtype: np.dtype = np.dtype(np.float32)

    # --- to implement -------------------------------------------------------------------
    def output_shape(self, *input_shapes: Shape) -> Shape:
        """The output shape for these input shapes; raise ShapeError saying what was expected."""
        raise NotImplementedError

    def weight_shapes(self, *input_shapes: Shape) -> dict[str, Shape]:
        """The shapes of the arrays ``build`` will create (parameters and state), by name, without
        creating them: the model's memory budget is checked with them before ``build`` runs.
        A layer that does not override this is counted by its outputs only."""
        return {}

    def build(self, *input_shapes: Shape, rng: np.random.Generator) -> None:
        """Create parameters with ``self.add_param``. Layers without parameters need not override."""

    def forward(self, *inputs: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        """Fill ``self.grads`` and return one input gradient per input (None when not needed)."""
        raise NotImplementedError

    # --- helpers ------------------------------------------------------------------------
    def add_param(self, name: str, value: np.ndarray) -> np.ndarray:
        """Register a trainable parameter (cast to the layer's dtype) with a zero gradient."""
        array = np.ascontiguousarray(value, dtype=self.dtype)
        self.params[name] = array
        self.grads[name] = np.zeros_like(array)
        return array

    def add_state(self, name: str, value: np.ndarray) -> np.ndarray:
        """Register a non-trainable array that is saved and loaded with the weights."""
        array = np.ascontiguousarray(value, dtype=self.dtype)
        self.state[name] = array
        return array

    def parameter_count(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def shape_error(self, message: str, *input_shapes: Shape) -> ShapeError:
        """A ShapeError in the house style: what was expected, what was received."""
        received = ", ".join(str(s) for s in input_shapes)
        return ShapeError(f"{self.kind_name()}: {message}. Received input shape(s): {received}")
