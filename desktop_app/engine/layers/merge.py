"""Merge layers: Add and Concatenate join two or more branches (residual and branching networks)."""

from __future__ import annotations

import numpy as np

from ..layer import Layer, Shape
from ..schema import ParamSpec, schema


class Add(Layer):
    """Chain rule (g = dL/dy): dxᵢ = g for every input."""

    type_name = "Add"
    category = "Merge"
    description = "Adds two or more inputs of the same shape element by element (residual connections)."
    min_inputs = 2
    max_inputs = None

    caches = ("_count",)

    def output_shape(self, *input_shapes: Shape) -> Shape:
        if len(set(input_shapes)) != 1:
            raise self.shape_error("expected inputs that all have the same shape", *input_shapes)
        return input_shapes[0]

    def forward(self, *inputs: np.ndarray, training: bool = False) -> np.ndarray:
        self._count = len(inputs)
        total = inputs[0] + inputs[1]
        for x in inputs[2:]:
            total += x
        return total

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        # d(sum)/d(each input) is the identity: every input gets the same (read-only) gradient.
        if not self.input_grad_needed:
            return (None,) * self._count
        return (grad,) * self._count


class Concatenate(Layer):
    """Chain rule (g = dL/dy): dxᵢ = the slice of g along the joined axis that xᵢ filled."""

    type_name = "Concatenate"
    category = "Merge"
    description = "Joins two or more inputs along one axis (sizes on the other axes must match)."
    schema = schema(
        ParamSpec("axis", "int", -1, "axis of one sample to join along (batch excluded; -1: last)"),
    )
    min_inputs = 2
    max_inputs = None

    caches = ("_axis", "_splits")

    def output_shape(self, *input_shapes: Shape) -> Shape:
        rank, axis = len(input_shapes[0]), self.config["axis"]
        if any(len(shape) != rank for shape in input_shapes):
            raise self.shape_error("expected inputs that all have the same number of axes", *input_shapes)
        if not -rank <= axis < rank:
            raise self.shape_error(f"axis {axis} is outside samples with {rank} axes", *input_shapes)
        axis %= rank
        others = {shape[:axis] + shape[axis + 1 :] for shape in input_shapes}
        if len(others) != 1:
            raise self.shape_error(
                f"expected inputs whose sizes match on every axis but axis {axis}", *input_shapes
            )
        joined = sum(shape[axis] for shape in input_shapes)
        return input_shapes[0][:axis] + (joined,) + input_shapes[0][axis + 1 :]

    def forward(self, *inputs: np.ndarray, training: bool = False) -> np.ndarray:
        axis = 1 + self.config["axis"] % (inputs[0].ndim - 1)
        self._axis = axis
        self._splits = np.cumsum([x.shape[axis] for x in inputs[:-1]])
        return np.concatenate(inputs, axis=axis)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        if not self.input_grad_needed:
            return (None,) * (len(self._splits) + 1)
        return tuple(np.split(grad, self._splits, axis=self._axis))
