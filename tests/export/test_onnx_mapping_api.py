"""The mapping API plugins use: a plugin layer exports through its own mapping; missing or broken
mappings give errors naming the node, the layer type and the plugin."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from desktop_app.engine.graph import Model, stack
from desktop_app.engine.layer import Layer
from desktop_app.engine.schema import ParamSpec, schema
from desktop_app.export import (
    BUILTIN_EXPORTERS,
    BUILTIN_ONNX_MAPPINGS,
    ExportError,
    OnnxContext,
    OnnxExporter,
    build_onnx_model,
)
from desktop_app.plugin_system import current_registry

from .conftest import randomize


class Swish(Layer):
    """x·sigmoid(beta·x), standing in for a third-party plugin's layer."""

    type_name = "Swish"
    schema = schema(ParamSpec("beta", "float", 1.0))

    def output_shape(self, *input_shapes):
        return input_shapes[0]

    def forward(self, x, training=False):
        return x / (1.0 + np.exp(-self.config["beta"] * x))


def swish_to_onnx(ctx: OnnxContext, layer: Layer, node: str, inputs: list[str]) -> str:
    scaled = ctx.add_node("Mul", [inputs[0], ctx.scalar(f"{node}/beta", layer.config["beta"])])
    return ctx.add_node("Mul", [inputs[0], ctx.add_node("Sigmoid", [scaled])])


def swish_model(registry, plugin_mapping=None) -> Model:
    registry.add("layers", "Swish", Swish, "backprop-studio-swish")
    if plugin_mapping is not None:
        registry.add("onnx_mappings", "Swish", plugin_mapping, "backprop-studio-swish")
    model = Model(stack((4,), ("Dense", {"units": 6}), ("Swish", {"beta": 1.7}), ("Dense", {"units": 2})),
                  registry.layers)
    randomize(model)
    return model


def test_a_plugin_layer_exports_through_its_registered_mapping(registry, assert_onnx_matches) -> None:
    proto = assert_onnx_matches(swish_model(registry, swish_to_onnx))
    assert "Sigmoid" in {node.op_type for node in proto.graph.node}


def test_a_layer_without_mapping_names_node_type_and_plugin(registry) -> None:
    model = swish_model(registry)
    with pytest.raises(ExportError) as info:
        build_onnx_model(model, registry)
    message = str(info.value)
    assert "node 'swish_2'" in message and "'Swish'" in message and "backprop-studio-swish" in message
    assert "no ONNX mapping" in message


def test_a_failing_mapping_is_reported_with_its_plugin(registry) -> None:
    def broken(ctx, layer, node, inputs):
        raise RuntimeError("forgot the weights")

    expected = r"swish_2.*backprop-studio-swish.*RuntimeError: forgot the weights"
    with pytest.raises(ExportError, match=expected):
        build_onnx_model(swish_model(registry, broken), registry)


@pytest.mark.parametrize("returned", [None, "no_such_tensor", ["x"]])
def test_a_mapping_must_return_a_tensor_it_added(registry, returned) -> None:
    def wrong(ctx, layer, node, inputs):
        ctx.add_node("Identity", inputs)
        return returned

    with pytest.raises(ExportError, match=r"swish_2.*must return the name of a tensor.*Received"):
        build_onnx_model(swish_model(registry, wrong), registry)


def test_a_mapping_producing_an_invalid_graph_is_refused(registry) -> None:
    def invalid(ctx, layer, node, inputs):
        return ctx.add_node("NoSuchOperator", inputs)

    with pytest.raises(ExportError, match="swish_2.*Swish.*backprop-studio-swish.*invalid.*NoSuchOperator"):
        build_onnx_model(swish_model(registry, invalid), registry)


def test_a_mapping_with_mismatched_shapes_is_blamed_in_one_line(registry) -> None:
    def mismatched(ctx, layer, node, inputs):
        weight = ctx.add_initializer(f"{node}/w", np.ones((7, 2), ctx.dtype))
        return ctx.add_node("MatMul", [inputs[0], weight])

    with pytest.raises(ExportError) as info:
        build_onnx_model(swish_model(registry, mismatched), registry)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("node 'swish_2' (layer type 'Swish', plugin 'backprop-studio-swish')")
    assert "Incompatible dimensions" in message


def test_registry_mappings_override_builtins(registry) -> None:
    calls = []

    def traced_relu(ctx, layer, node, inputs):
        calls.append(node)
        return ctx.add_node("Relu", inputs)

    registry.onnx_mappings["ReLU"] = traced_relu
    build_onnx_model(Model(stack((3,), ("ReLU", {})), registry.layers), registry)
    assert calls == ["relu_1"]


def test_an_empty_registry_falls_back_to_the_builtin_mappings(registry) -> None:
    registry.onnx_mappings.clear()
    model = Model(stack((3,), ("Dense", {"units": 2}), ("Tanh", {})), registry.layers)
    assert [n.op_type for n in build_onnx_model(model, registry).graph.node] == ["Gemm", "Tanh", "Identity"]


def test_context_names_are_unique_and_scoped_by_node() -> None:
    ctx = OnnxContext(np.dtype(np.float32))
    ctx.reserve(["dense"])
    assert ctx.fresh_name("dense") == "dense_2"
    assert ctx.fresh_name("t") == "t" and ctx.fresh_name("t") == "t_2"
    first = ctx.add_initializer("w", np.zeros(2, np.float32))
    second = ctx.add_initializer("w", np.ones(2, np.float32))
    assert (first, second) == ("w", "w_2")
    ctx.set_scope("block")
    assert ctx.add_node("Relu", ["x"]) == "block/Relu"
    assert ctx.add_node("Relu", ["x"]) == "block/Relu_2"
    assert ctx.add_node("Split", ["x"], outputs=["s1", "s2"], axis=1) == ["s1", "s2"]
    assert ctx.has_tensor("s2") and ctx.has_tensor("w_2") and not ctx.has_tensor("x")
    with pytest.raises(ValueError, match="already used"):
        ctx.add_node("Relu", ["x"], outputs=["s1"])
    assert ctx.opset == 17 and ctx.scalar("half", 0.5) == "half"
    assert onnx.numpy_helper.to_array(ctx.initializers[-1]).dtype == np.float32


def test_context_refuses_integer_models() -> None:
    with pytest.raises(ValueError, match="float32 and float64.*Received: int32"):
        OnnxContext(np.dtype(np.int32))


def test_exporter_writes_a_loadable_file_and_nothing_on_failure(registry, tmp_path) -> None:
    good = Model(stack((3,), ("Dense", {"units": 2})), registry.layers)
    target = tmp_path / "model.onnx"
    OnnxExporter().export(good, target, registry=registry)
    onnx.checker.check_model(onnx.load(target))
    before = target.read_bytes()
    with pytest.raises(ExportError):
        OnnxExporter().export(swish_model(registry), target, registry=registry)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]


def test_builtin_exporters_and_mappings_come_through_the_plugin_hooks() -> None:
    registry = current_registry()
    for cls in BUILTIN_EXPORTERS:
        assert registry.exporters[cls.type_name] is cls
        assert registry.owner("exporters", cls.type_name).startswith("builtin")
    for name, mapping in BUILTIN_ONNX_MAPPINGS.items():
        assert registry.onnx_mappings[name] is mapping
