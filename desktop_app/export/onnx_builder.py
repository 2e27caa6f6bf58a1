"""The small, stable API an ONNX mapping uses to add its nodes: the contract for plugin authors.

A mapping is ``fn(ctx, layer, node_name, inputs) -> str``: it receives this context, the built
layer (its ``config``, ``params`` and ``state``), the model node's name and the names of the ONNX
tensors feeding it (batch axis first), adds nodes and initializers through ``ctx`` and returns the
name of the tensor holding the layer's output. See docs/export.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17

_ELEM_TYPES = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE}


class OnnxContext:
    """Collects the nodes and initializers of one ONNX graph while the model's layers are mapped.

    ``opset`` is the ONNX opset the graph targets; ``dtype`` the model's float dtype, which every
    float initializer a mapping adds must have. Names are unique within the graph: ``fresh_name``,
    ``add_initializer`` and ``add_node`` (when it names outputs itself) never reuse one.
    """

    def __init__(self, dtype: np.dtype, opset: int = OPSET) -> None:
        if np.dtype(dtype) not in _ELEM_TYPES:
            raise ValueError(f"ONNX export supports float32 and float64 models. Received: {dtype}")
        self.opset = opset
        self.dtype = np.dtype(dtype)
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._used: set[str] = set()
        self._tensors: set[str] = set()
        self._shapes: dict[str, tuple[int, ...]] = {}
        self._scope = ""
        # ONNX node name -> the model node whose mapping added it (to blame it for a bad graph)
        self.node_scopes: dict[str, str] = {}

    @property
    def elem_type(self) -> int:
        """The ONNX element type of the model's floats (TensorProto.FLOAT or DOUBLE)."""
        return _ELEM_TYPES[self.dtype]

    def fresh_name(self, prefix: str) -> str:
        """``prefix`` if no tensor or node of the graph has that name yet, else ``prefix_2``, ..."""
        name, count = prefix, 1
        while name in self._used:
            count += 1
            name = f"{prefix}_{count}"
        self._used.add(name)
        return name

    def add_initializer(self, name: str, array: np.ndarray) -> str:
        """Store a constant tensor (weights, shapes, scalars); returns its unique name.

        The array keeps its dtype: pass float data as ``ctx.dtype`` and shapes as int64.
        """
        unique = self.fresh_name(name)
        self._tensors.add(unique)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), unique))
        return unique

    def add_node(
        self, op_type: str, inputs: list[str], outputs: list[str] | None = None, **attrs: Any
    ) -> str | list[str]:
        """Add one ONNX operator; returns its output name, or the list of names when given several.

        Without ``outputs`` the node gets one output named ``<model node>/<op_type>``. Attributes
        are keywords, as in ``onnx.helper.make_node``: ``ctx.add_node("Conv", [x, w], pads=[1, 1, 1, 1])``.
        """
        if outputs is None:
            outputs = [self.fresh_name(f"{self._scope}/{op_type}" if self._scope else op_type)]
        else:
            taken = [name for name in outputs if name in self._used]
            if taken:
                raise ValueError(f"ONNX tensor name(s) {taken} already used in the graph; use ctx.fresh_name")
            self._used.update(outputs)
        self._tensors.update(outputs)
        node_name = self.fresh_name(f"{outputs[0]}:node")
        self.nodes.append(helper.make_node(op_type, inputs, outputs, name=node_name, **attrs))
        self.node_scopes[node_name] = self._scope
        return outputs[0] if len(outputs) == 1 else list(outputs)

    def has_tensor(self, name: str) -> bool:
        """Whether ``name`` is a graph input, an initializer or a node output of this graph."""
        return name in self._tensors

    def shape(self, tensor: str) -> tuple[int, ...]:
        """The per-sample shape (batch axis excluded) of a tensor that is a model node's output."""
        if tensor not in self._shapes:
            raise KeyError(f"no known shape for ONNX tensor '{tensor}' (only model node outputs have one)")
        return self._shapes[tensor]

    def scalar(self, prefix: str, value: float) -> str:
        """A scalar constant of the model's dtype (for elementwise formulas); returns its name."""
        return self.add_initializer(prefix, np.array(value, dtype=self.dtype))

    # --- used by the exporter, not by mappings ------------------------------------------------
    def declare(self, tensor: str, shape: tuple[int, ...]) -> None:
        """Record a model node's output tensor and its per-sample shape (graph inputs included)."""
        self._used.add(tensor)
        self._tensors.add(tensor)
        self._shapes[tensor] = tuple(shape)

    def reserve(self, names: list[str]) -> None:
        """Keep ``names`` (the model's input and output names) free of generated tensors."""
        self._used.update(names)

    def set_scope(self, node_name: str) -> None:
        """Name the tensors ``add_node`` generates after the model node being mapped."""
        self._scope = node_name
