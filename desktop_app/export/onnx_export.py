"""ONNX export: map each node of a built model to standard ONNX operators, check, write atomically.

Inference semantics (dropout off, BatchNorm running statistics); the batch axis is symbolic
(``batch``). Graph inputs and outputs carry the model's input and output node names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import numpy as np
import onnx
from onnx import helper

from .. import __version__
from ..engine.graph import Model
from ..fileio import atomic_write
from ..registry import Registry
from .base import Exporter
from .errors import ExportError
from .onnx_builder import OPSET, OnnxContext
from .onnx_mappings import BUILTIN_ONNX_MAPPINGS, OnnxMapping

# Opset 17 first appeared with IR version 8; an older IR keeps the file readable by older runtimes.
IR_VERSION = 8


class OnnxExporter(Exporter):
    type_name = "onnx"
    description = "ONNX model (opset 17) for onnxruntime and other inference engines."
    suffix = ".onnx"
    label = "ONNX model"

    def export(self, model: Model, path: str | os.PathLike, *, registry: Registry) -> None:
        proto = build_onnx_model(model, registry)
        atomic_write(path, lambda handle: handle.write(proto.SerializeToString()))


def onnx_mappings(registry: Registry) -> dict[str, OnnxMapping]:
    """The built-in mappings overlaid with the registry's (plugins add their layers' mappings)."""
    return {**BUILTIN_ONNX_MAPPINGS, **registry.onnx_mappings}


def build_onnx_model(model: Model, registry: Registry) -> onnx.ModelProto:
    """The checked ONNX model of ``model`` with its current weights.

    Raises ExportError naming the node, its layer type and its plugin when a layer has no mapping
    or its mapping fails, when the finished graph does not pass ``onnx.checker``, and when a
    float64 graph uses an operator onnxruntime's CPU provider has no double kernel for.
    """
    mappings = onnx_mappings(registry)
    ctx = OnnxContext(model.dtype)
    ctx.reserve([*model.input_names, *model.output_names])
    graph_inputs = []
    for name in model.input_names:
        ctx.declare(name, model.shapes[name])
        graph_inputs.append(_value_info(ctx, name, model.shapes[name]))
    tensors = {name: name for name in model.input_names}
    for name in model.order:
        if name in tensors:
            continue
        inputs = [tensors[source] for source in model.specs[name].inputs]
        tensors[name] = _map_node(ctx, model, name, inputs, mappings, registry)
        ctx.declare(tensors[name], model.shapes[name])
    for name in model.output_names:
        if tensors[name] != name:  # an Input chosen as an output is already named so
            ctx.nodes.append(helper.make_node("Identity", [tensors[name]], [name], name=f"{name}:output"))
    graph = helper.make_graph(
        ctx.nodes,
        "backprop_studio_model",
        graph_inputs,
        [_value_info(ctx, name, model.shapes[name]) for name in model.output_names],
        initializer=ctx.initializers,
    )
    proto = helper.make_model(
        graph,
        producer_name="backprop-studio",
        producer_version=__version__,
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
    )
    try:
        onnx.checker.check_model(proto, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as error:
        message = " ".join(str(error).split())  # the checker's report spans lines
        culprit = next((scope for node, scope in ctx.node_scopes.items() if scope and node in message), None)
        if culprit is None:
            raise ExportError(f"the exported ONNX graph is invalid: {message}") from None
        raise ExportError(
            f"{_describe(model, culprit, registry)}: its ONNX mapping made an invalid graph: {message}"
        ) from None
    if ctx.dtype == np.float64:
        _check_double_kernels(proto, ctx, model, registry)
    return proto


_MISSING_KERNEL = re.compile(r"implementation for (\w+)\(\d+\) node with name '([^']*)'")


def _check_double_kernels(proto: onnx.ModelProto, ctx: OnnxContext, model: Model, registry: Registry) -> None:
    """Refuse a float64 graph that onnxruntime's CPU provider cannot load for want of a double
    kernel (it has none for Conv, AveragePool or Elu, say), naming the model node and the ONNX op,
    rather than write a file that fails where it is used. The built-in mappings avoid those ops."""
    import onnxruntime  # here, not at the top: only float64 exports pay for its slow import
    from onnxruntime.capi.onnxruntime_pybind11_state import NotImplemented as MissingKernel

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only: its warnings would reach the user's terminal
    try:
        onnxruntime.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])
    except MissingKernel as error:
        message = " ".join(str(error).split())
        found = _MISSING_KERNEL.search(message)
        scope = ctx.node_scopes.get(found.group(2)) if found else None
        if not scope:
            raise ExportError(f"onnxruntime cannot run the exported float64 graph: {message}") from None
        raise ExportError(
            f"{_describe(model, scope, registry)}: its ONNX mapping uses the op '{found.group(1)}', "
            "which onnxruntime's CPU provider cannot run in float64; export a float32 model, or "
            "map the layer to operators with double kernels"
        ) from None


def _describe(model: Model, name: str, registry: Registry) -> str:
    """How errors name a node: its name, its layer type and the plugin that provides the type."""
    layer_type = model.specs[name].type
    plugin = registry.owner("layers", layer_type) or "unknown"
    return f"node '{name}' (layer type '{layer_type}', plugin '{plugin}')"


def _map_node(
    ctx: OnnxContext,
    model: Model,
    name: str,
    inputs: list[str],
    mappings: Mapping[str, OnnxMapping],
    registry: Registry,
) -> str:
    layer, where = model.layers[name], _describe(model, name, registry)
    mapping = mappings.get(model.specs[name].type)
    if mapping is None:
        raise ExportError(
            f"{where} has no ONNX mapping: its plugin must register one through the ONNX-mapping "
            "hook, or export the weights as npz/safetensors instead"
        )
    ctx.set_scope(name)
    try:
        output = mapping(ctx, layer, name, inputs)
    except ExportError:
        raise
    except Exception as error:  # a plugin's mapping is not ours to trust
        raise ExportError(f"{where}: its ONNX mapping failed: {type(error).__name__}: {error}") from error
    finally:
        ctx.set_scope("")
    if not isinstance(output, str) or not ctx.has_tensor(output):
        raise ExportError(
            f"{where}: its ONNX mapping must return the name of a tensor it added. Received: {output!r}"
        )
    return output


def _value_info(ctx: OnnxContext, name: str, shape: tuple[int, ...]) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, ctx.elem_type, ["batch", *shape])
