"""The model graph: nodes wired into a DAG, checked and shape-inferred before anything runs.

A plain stack is the common case (each node's single input is the previous node); merge layers
such as Add and Concatenate take several inputs, so residual and branching networks are graphs.
Forward walks the nodes in topological order; backward walks them in reverse, summing the
gradients of a node whose output feeds several others (the chain rule over a fan-out). An optional
``ModelObserver`` sees each of those values as the model computes it (the step-through records a
batch with one); without one, a pass costs one attribute test per node.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .errors import ConfigError, EngineError, GraphError, LayerError, ShapeError
from .layer import Layer, Shape
from .memory import NodeMemory, check_memory
from .schema import ParamSpec, schema

SUPPORTED_DTYPES = ("float32", "float64")


class Input(Layer):
    """A model input: the data's shape per sample, without the batch dimension."""

    type_name = "Input"
    category = "Core"
    description = "Where data enters the network (shape per sample, batch excluded)."
    schema = schema(
        ParamSpec("shape", "int_tuple", (2,), "shape of one sample, e.g. [64] or [1, 8, 8]",
                  minimum=1, required=True),
    )
    min_inputs = 0
    max_inputs = 0

    def output_shape(self, *input_shapes: Shape) -> Shape:
        return tuple(self.config["shape"])


class ModelObserver(Protocol):
    """Sees the values of a forward and backward pass as the model computes them (the engine's own
    arrays, not copies: an observer that keeps one must copy it, as layers may reuse buffers)."""

    def forward_node(self, node: str, inputs: Sequence[np.ndarray], output: np.ndarray) -> None:
        """``node`` computed ``output`` from ``inputs`` (an Input node: no inputs, the bound batch)."""

    def backward_node(self, node: str, grad: np.ndarray, input_grads: Sequence[np.ndarray | None]) -> None:
        """``node`` received dL/dy = ``grad`` (the sum of what its consumers sent), filled its
        ``grads`` and returned ``input_grads`` (one per input; None where none is needed)."""

    def gradient_sent(self, source: str, consumer: str, grad: np.ndarray) -> None:
        """``consumer`` passed ``grad`` back to ``source``, which sums what arrives (a fan-out)."""


@dataclass
class NodeSpec:
    """One node as a project file stores it: a unique name, a layer type, its config, its inputs."""

    name: str
    type: str
    config: dict[str, Any] = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)


class Model:
    """A built network: layers with parameters, in an order in which they can run.

    ``layer_types`` maps type names to Layer classes (the built-ins, or a plugin registry's).
    Building raises GraphError naming the node for a duplicate name, an unknown type, a bad
    config, a dangling input, a cycle, incompatible shapes or weights beyond the memory budget
    (checked from the shapes, before anything is allocated).
    """

    def __init__(
        self,
        nodes: Sequence[NodeSpec],
        layer_types: Mapping[str, type[Layer]],
        outputs: Sequence[str] | None = None,
        dtype: str = "float32",
        seed: int = 0,
    ) -> None:
        if dtype not in SUPPORTED_DTYPES:
            raise ConfigError(f"dtype must be one of {SUPPORTED_DTYPES}. Received: {dtype!r}")
        self.dtype = np.dtype(dtype)
        self.specs: dict[str, NodeSpec] = _index_nodes(nodes)
        self.layer_types: dict[str, type[Layer]] = {
            spec.type: _layer_class(spec, layer_types) for spec in nodes
        }
        self.layers: dict[str, Layer] = {
            spec.name: _instantiate(spec, self.layer_types[spec.type], self.dtype) for spec in nodes
        }
        _check_inputs(self.specs, self.layers)
        self.order: list[str] = _topological_order(self.specs)
        self.input_names: list[str] = [n for n in self.order if isinstance(self.layers[n], Input)]
        if not self.input_names:
            raise GraphError("the model has no Input node")
        self.output_names: list[str] = list(outputs) if outputs else _sinks(self.specs, self.order)
        for name in self.output_names:
            if name not in self.specs:
                raise GraphError(f"output '{name}' is not a node of the model", node=name)
        self.shapes: dict[str, Shape] = self._infer_shapes()
        self.memory: list[NodeMemory] = self._count_memory()
        self.observer: ModelObserver | None = None
        self.require_memory(batch_size=1)
        self.initialize(seed)
        self._mark_gradient_needs()
        self._plan = [
            (name, self.layers[name], tuple(self.specs[name].inputs))
            for name in self.order
            if name not in self.input_names
        ]

    # --- building --------------------------------------------------------------------------
    def _infer_shapes(self) -> dict[str, Shape]:
        shapes: dict[str, Shape] = {}
        for name in self.order:
            spec, layer = self.specs[name], self.layers[name]
            in_shapes = [shapes[i] for i in spec.inputs]
            try:
                shapes[name] = tuple(int(d) for d in layer.output_shape(*in_shapes))
            except ShapeError as error:
                raise ShapeError(f"node '{name}' ({spec.type}): {error}", node=name) from None
            except ConfigError as error:
                raise GraphError(f"node '{name}' ({spec.type}): {error}", node=name) from None
            except EngineError:
                raise
            except Exception as error:  # a plugin's output_shape is not ours to trust
                raise LayerError(name, spec.type, "shape inference", error) from error
        return shapes

    def _count_memory(self) -> list[NodeMemory]:
        rows = []
        for name in self.order:
            spec = self.specs[name]
            try:
                weights = self.layers[name].weight_shapes(*[self.shapes[i] for i in spec.inputs])
            except EngineError:
                raise
            except Exception as error:
                raise LayerError(name, spec.type, "weight_shapes", error) from error
            rows.append(NodeMemory.of(name, spec.type, weights, self.shapes[name]))
        return rows

    def require_memory(self, batch_size: int) -> None:
        """Raise GraphError naming the largest node when weights and ``batch_size`` samples' outputs
        would not fit the memory budget (building checks one sample, before any weight exists)."""
        check_memory(self.memory, batch_size, self.dtype)

    def _mark_gradient_needs(self) -> None:
        """A layer skips dL/dx when nothing upstream of it has parameters (it reads the data)."""
        carries_grad: dict[str, bool] = {}
        for name in self.order:
            upstream = any(carries_grad[i] for i in self.specs[name].inputs)
            self.layers[name].input_grad_needed = upstream
            carries_grad[name] = upstream or bool(self.layers[name].params)
        self._carries_grad = carries_grad

    def initialize(self, seed: int = 0) -> None:
        """(Re)create every parameter from ``seed``: the same seed gives the same weights."""
        self.seed = seed
        rng = np.random.default_rng(seed)
        for name in self.order:
            layer = self.layers[name]
            layer.params.clear()
            layer.grads.clear()
            layer.state.clear()
            in_shapes = [self.shapes[i] for i in self.specs[name].inputs]
            try:
                layer.build(*in_shapes, rng=rng)
            except EngineError:
                raise
            except Exception as error:
                raise LayerError(name, self.specs[name].type, "build", error) from error

    # --- running ---------------------------------------------------------------------------
    def forward(
        self, inputs: np.ndarray | Mapping[str, np.ndarray], training: bool = False
    ) -> np.ndarray | dict[str, np.ndarray]:
        """Run the network; returns the output array (a dict when there are several outputs)."""
        values = self._run(inputs, training)
        if len(self.output_names) == 1:
            return values[self.output_names[0]]
        return {name: values[name] for name in self.output_names}

    def activations(
        self, inputs: np.ndarray | Mapping[str, np.ndarray], training: bool = False
    ) -> dict[str, np.ndarray]:
        """Run the network and return every node's output by name (inspection, gradient checks)."""
        return self._run(inputs, training)

    def _run(self, inputs: np.ndarray | Mapping[str, np.ndarray], training: bool) -> dict[str, np.ndarray]:
        values = self._bind_inputs(inputs)
        observer = self.observer
        if observer is not None:
            for name in self.input_names:
                observer.forward_node(name, (), values[name])
        for name, layer, sources in self._plan:
            arguments = [values[s] for s in sources]
            try:
                values[name] = layer.forward(*arguments, training=training)
            except EngineError:
                raise
            except Exception as error:
                raise LayerError(name, self.specs[name].type, "forward", error) from error
            if observer is not None:
                observer.forward_node(name, arguments, values[name])
        return values

    def backward(self, grad_output: np.ndarray | Mapping[str, np.ndarray]) -> None:
        """Propagate dL/d(output) back through the graph, filling every layer's ``grads``."""
        if isinstance(grad_output, Mapping):
            pending = dict(grad_output)
        else:
            pending = {self.output_names[0]: grad_output}
        observer = self.observer
        for name, layer, sources in reversed(self._plan):
            grad = pending.pop(name, None)
            if grad is None:
                continue
            try:
                input_grads = layer.backward(grad)
            except EngineError:
                raise
            except Exception as error:
                raise LayerError(name, self.specs[name].type, "backward", error) from error
            if observer is not None:
                observer.backward_node(name, grad, input_grads)
            if not layer.input_grad_needed:
                continue
            if len(input_grads) != len(sources):
                problem = ValueError(
                    f"backward must return one gradient per input ({len(sources)}). "
                    f"Received: {len(input_grads)}"
                )
                raise LayerError(name, self.specs[name].type, "backward", problem)
            for source, source_grad in zip(sources, input_grads, strict=True):
                if source_grad is None or not self._carries_grad[source]:
                    continue
                if observer is not None:
                    observer.gradient_sent(source, name, source_grad)
                if source in pending:
                    pending[source] = pending[source] + source_grad
                else:
                    pending[source] = source_grad

    def _bind_inputs(self, inputs: np.ndarray | Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        if not isinstance(inputs, Mapping):
            if len(self.input_names) != 1:
                raise GraphError(f"the model has inputs {self.input_names}: pass a dict of arrays")
            inputs = {self.input_names[0]: inputs}
        values: dict[str, np.ndarray] = {}
        for name in self.input_names:
            if name not in inputs:
                raise GraphError(f"no data given for input '{name}'", node=name)
            array = np.asarray(inputs[name])
            if array.shape[1:] != self.shapes[name]:
                raise ShapeError(
                    f"input '{name}' expects samples of shape {self.shapes[name]}. "
                    f"Received a batch of shape {array.shape}",
                    node=name,
                )
            values[name] = array if array.dtype == self.dtype else array.astype(self.dtype)
        return values

    # --- parameters ------------------------------------------------------------------------
    def parameters(self) -> dict[str, np.ndarray]:
        """Trainable arrays keyed ``node/param`` (the live arrays, not copies)."""
        return {f"{n}/{p}": a for n in self.order for p, a in self.layers[n].params.items()}

    def gradients(self) -> dict[str, np.ndarray]:
        """The last backward pass's gradients, keyed like ``parameters()``."""
        return {f"{n}/{p}": a for n in self.order for p, a in self.layers[n].grads.items()}

    def get_weights(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and state array, keyed ``node/name``: what files store."""
        out = {key: value.copy() for key, value in self.parameters().items()}
        for n in self.order:
            out.update({f"{n}/{s}": a.copy() for s, a in self.layers[n].state.items()})
        return out

    def set_weights(self, weights: Mapping[str, np.ndarray], strict: bool = True) -> None:
        """Load arrays keyed ``node/name``; a missing, unknown, mis-shaped or non-finite (NaN, inf)
        array raises GraphError naming its key, before any weight is changed. Finiteness is checked
        in the model's dtype: a float64 value beyond float32's range would become inf there."""
        targets = {**self.parameters()}
        for n in self.order:
            targets.update({f"{n}/{s}": a for s, a in self.layers[n].state.items()})
        if strict:
            missing = sorted(set(targets) - set(weights))
            unknown = sorted(set(weights) - set(targets))
            if missing or unknown:
                raise GraphError(
                    f"weights do not fit this model: missing {missing or 'none'}, "
                    f"not in the model {unknown or 'none'}"
                )
        given = {key: np.asarray(weights[key]) for key in targets if key in weights}
        for key, value in given.items():
            if value.shape != targets[key].shape:
                raise GraphError(
                    f"weight '{key}' has shape {value.shape}; the model expects {targets[key].shape}",
                    node=key.split("/")[0],
                )
        cast = {key: _finite_as(value, targets[key].dtype, key) for key, value in given.items()}
        for key, value in cast.items():
            targets[key][...] = value

    def with_dtype(self, dtype: str) -> Model:
        """A new model with the same graph and weights in ``dtype`` (float64 for gradient checks)."""
        twin = Model(list(self.specs.values()), self.layer_types, self.output_names, dtype, self.seed)
        twin.set_weights(self.get_weights())
        return twin

    def parameter_count(self) -> int:
        return sum(layer.parameter_count() for layer in self.layers.values())

    def summary(self) -> list[dict[str, Any]]:
        """One row per node: name, type, output shape, parameter count (GUI and CLI show it)."""
        return [
            {
                "name": name,
                "type": self.specs[name].type,
                "output_shape": self.shapes[name],
                "parameters": self.layers[name].parameter_count(),
            }
            for name in self.order
        ]

    @property
    def input_shape(self) -> Shape:
        return self.shapes[self.input_names[0]]

    @property
    def output_shape(self) -> Shape:
        return self.shapes[self.output_names[0]]


def _index_nodes(nodes: Sequence[NodeSpec]) -> dict[str, NodeSpec]:
    specs: dict[str, NodeSpec] = {}
    for spec in nodes:
        if not spec.name:
            raise GraphError(f"a node of type {spec.type} has no name")
        if spec.name in specs:
            raise GraphError(f"two nodes are named '{spec.name}'; names must be unique", node=spec.name)
        specs[spec.name] = spec
    if not specs:
        raise GraphError("the model has no nodes")
    return specs


def _layer_class(spec: NodeSpec, layer_types: Mapping[str, type[Layer]]) -> type[Layer]:
    layer_cls = Input if spec.type == "Input" else layer_types.get(spec.type)
    if layer_cls is None:
        known = ", ".join(sorted(layer_types))
        raise GraphError(
            f"node '{spec.name}': unknown layer type '{spec.type}' (no installed plugin provides it). "
            f"Known types: {known}",
            node=spec.name,
        )
    return layer_cls


def _instantiate(spec: NodeSpec, layer_cls: type[Layer], dtype: np.dtype) -> Layer:
    try:
        layer = layer_cls(**spec.config)
    except ConfigError as error:
        raise GraphError(f"node '{spec.name}': {error}", node=spec.name) from None
    except Exception as error:
        raise LayerError(spec.name, spec.type, "construction", error) from error
    layer.dtype = dtype
    return layer


def _check_inputs(specs: Mapping[str, NodeSpec], layers: Mapping[str, Layer]) -> None:
    for name, spec in specs.items():
        layer = layers[name]
        for source in spec.inputs:
            if source not in specs:
                raise GraphError(
                    f"node '{name}' takes input from '{source}', which is not a node of the model",
                    node=name,
                )
        count, low, high = len(spec.inputs), layer.min_inputs, layer.max_inputs
        if count < low or (high is not None and count > high):
            expected = f"{low}" if low == high else f"{low} to {high if high is not None else 'any'}"
            raise GraphError(
                f"node '{name}' ({spec.type}) needs {expected} input(s) but has {count}"
                + (": connect an input to it" if count < low else ""),
                node=name,
            )


def _topological_order(specs: Mapping[str, NodeSpec]) -> list[str]:
    """Kahn's algorithm, stable in the order nodes were given; a cycle is named node by node."""
    indegree = {name: len(spec.inputs) for name, spec in specs.items()}
    consumers: dict[str, list[str]] = {name: [] for name in specs}
    for name, spec in specs.items():
        for source in spec.inputs:
            consumers[source].append(name)
    ready = [name for name in specs if indegree[name] == 0]
    order: list[str] = []
    while ready:
        name = ready.pop(0)
        order.append(name)
        for consumer in consumers[name]:
            indegree[consumer] -= 1
            if indegree[consumer] == 0:
                ready.append(consumer)
    if len(order) < len(specs):
        stuck = [name for name in specs if name not in set(order)]
        cycle = _find_cycle(specs, stuck)
        raise GraphError(f"the graph has a cycle: {' -> '.join(cycle)}", node=cycle[0])
    return order


def _find_cycle(specs: Mapping[str, NodeSpec], stuck: list[str]) -> list[str]:
    stuck_set = set(stuck)
    path: list[str] = [stuck[0]]
    while True:
        upstream = next(s for s in specs[path[-1]].inputs if s in stuck_set)
        if upstream in path:
            cycle = path[path.index(upstream):] + [upstream]
            return list(reversed(cycle))
        path.append(upstream)


def _sinks(specs: Mapping[str, NodeSpec], order: list[str]) -> list[str]:
    used = {source for spec in specs.values() for source in spec.inputs}
    sinks = [name for name in order if name not in used and specs[name].type != "Input"]
    if not sinks:
        raise GraphError("the model has no output: add a layer after the input")
    return sinks


def stack(input_shape: Sequence[int], *layers: tuple[str, dict[str, Any]]) -> list[NodeSpec]:
    """NodeSpecs for a plain stack: ``stack((64,), ("Dense", {"units": 32}), ("ReLU", {}))``.

    Nodes are named ``input`` and ``<type>_<index>`` in lower case.
    """
    nodes = [NodeSpec("input", "Input", {"shape": list(input_shape)})]
    for index, (type_name, config) in enumerate(layers, start=1):
        nodes.append(NodeSpec(f"{type_name.lower()}_{index}", type_name, dict(config), [nodes[-1].name]))
    return nodes


def _finite_as(value: np.ndarray, dtype: np.dtype, key: str) -> np.ndarray:
    """``value`` cast to ``dtype``; GraphError naming ``key`` if any element is NaN or inf after the cast."""
    with np.errstate(over="ignore"):
        cast = value.astype(dtype)
    bad = ~np.isfinite(cast)
    if not bad.any():
        return cast
    overflowed = np.count_nonzero(np.isfinite(value[bad]))
    what = (f"{overflowed} value(s) too large for {np.dtype(dtype).name} (they would be inf)" if overflowed
            else f"{np.count_nonzero(bad)} NaN or inf value(s)")
    raise GraphError(f"weight '{key}' holds {what}; expected finite numbers", node=key.split("/")[0])
