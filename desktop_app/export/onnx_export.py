"""ONNX export: map each node of a built model to standard ONNX operators, check, write atomically.

Inference semantics (dropout off, BatchNorm running statistics); the batch axis is symbolic
(``batch``). The raw graph's inputs and outputs carry the model's input and output node names; a
``Deployment`` folds the input scaling and the output function around it (``onnx_deploy``).
The file's metadata says which of the two it is.
"""

from __future__ import annotations

import json
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
from .onnx_deploy import Deployment, add_outputs, scale_inputs
from .onnx_mappings import BUILTIN_ONNX_MAPPINGS, OnnxMapping

# Opset 17 first appeared with IR version 8; an older IR keeps the file readable by older runtimes.
IR_VERSION = 8


class OnnxExporter(Exporter):
    type_name = "onnx"
    description = "ONNX model (opset 17) for onnxruntime and other inference engines."
    suffix = ".onnx"
    label = "ONNX model"

    def export(self, model: Model, path: str | os.PathLike, *, registry: Registry,
               deployment: Deployment | None = None, metadata: Mapping[str, str] | None = None) -> None:
        """Write the raw graph, or with ``deployment`` the graph that takes raw inputs; ``metadata``
        adds to the file's ``metadata_props`` (see ``build_onnx_model``)."""
        proto = build_onnx_model(model, registry, deployment, metadata)
        atomic_write(path, lambda handle: handle.write(proto.SerializeToString()))


def onnx_mappings(registry: Registry) -> dict[str, OnnxMapping]:
    """The built-in mappings overlaid with the registry's (plugins add their layers' mappings)."""
    return {**BUILTIN_ONNX_MAPPINGS, **registry.onnx_mappings}


def build_onnx_model(model: Model, registry: Registry, deployment: Deployment | None = None,
                     metadata: Mapping[str, str] | None = None) -> onnx.ModelProto:
    """The checked ONNX model of ``model`` with its current weights.

    Without ``deployment``, the raw graph: inputs scaled as in training, the network's outputs.
    With it (one input and one output only), raw inputs and the outputs ``predict`` gives. The
    file's ``metadata_props`` hold the app version, the sample shape, whether the input scaling is
    included, and ``metadata`` (project name, class names).

    Raises ExportError naming the node, its layer type and its plugin when a layer has no mapping
    or its mapping fails, when the finished graph does not pass ``onnx.checker``, and when a
    float64 graph uses an operator onnxruntime's CPU provider has no double kernel for.
    """
    mappings = onnx_mappings(registry)
    ctx = OnnxContext(model.dtype)
    output_names = deployment.output_names if deployment else model.output_names
    if deployment and (len(model.input_names), len(model.output_names)) != (1, 1):
        raise ExportError("the deployable graph needs a network with one input and one output; "
                          "export the raw graph")
    taken = set(model.input_names) & set(output_names)
    if deployment and taken:
        raise ExportError(f"the Input node {sorted(taken)[0]!r} has the name of an output of the deployable "
                          "graph: rename the node, or export the raw graph")
    ctx.reserve([*model.input_names, *output_names])
    graph_inputs = []
    for name in model.input_names:
        ctx.declare(name, model.shapes[name])
        graph_inputs.append(_value_info(ctx, name, model.shapes[name]))
    tensors = {name: name for name in model.input_names}
    if deployment:
        tensors[model.input_names[0]] = scale_inputs(ctx, model.input_names[0], deployment)
        ctx.declare(tensors[model.input_names[0]], model.input_shape)
    for name in model.order:
        if name in tensors:
            continue
        inputs = [tensors[source] for source in model.specs[name].inputs]
        tensors[name] = _map_node(ctx, model, name, inputs, mappings, registry)
        ctx.declare(tensors[name], model.shapes[name])
    if deployment:
        output_shapes = add_outputs(ctx, tensors[model.output_names[0]], model.output_shape, deployment)
    else:
        output_shapes = {name: model.shapes[name] for name in model.output_names}
        for name in model.output_names:
            if tensors[name] != name:  # an Input chosen as an output is already named so
                ctx.nodes.append(helper.make_node("Identity", [tensors[name]], [name], name=f"{name}:output"))
    graph = helper.make_graph(
        ctx.nodes,
        "backprop_studio_model",
        graph_inputs,
        [_value_info(ctx, name, shape) for name, shape in output_shapes.items()],
        initializer=ctx.initializers,
    )
    proto = helper.make_model(
        graph,
        producer_name="backprop-studio",
        producer_version=__version__,
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
    )
    helper.set_model_props(proto, {**_metadata(model, deployment), **(metadata or {})})
    try:
        onnx.checker.check_model(proto, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as error:
        message = " ".join(str(error).split())  # the checker's report spans lines
        culprit = next((scope for node, scope in ctx.node_scopes.items()
                        if scope in model.specs and node in message), None)
        if culprit is None:
            raise ExportError(f"the exported ONNX graph is invalid: {message}") from None
        raise ExportError(
            f"{_describe(model, culprit, registry)}: its ONNX mapping made an invalid graph: {message}"
        ) from None
    if ctx.dtype == np.float64:
        _check_double_kernels(proto, ctx, model, registry)
    return proto


def _metadata(model: Model, deployment: Deployment | None) -> dict[str, str]:
    """What every export says about itself: the app version, the shape of one input sample (a JSON
    list; an object by input name for several inputs) and whether the graph scales its inputs."""
    shapes = {name: list(model.shapes[name]) for name in model.input_names}
    return {
        "app_version": __version__,
        "sample_shape": json.dumps(shapes[model.input_names[0]] if len(shapes) == 1 else shapes),
        "includes_input_scaling": json.dumps(deployment is not None),
    }


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
        if scope not in model.specs:
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
