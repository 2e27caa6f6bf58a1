"""Every built-in layer exported to ONNX: onnxruntime matches the engine's inference forward pass."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from desktop_app.engine.graph import Model, NodeSpec, stack
from desktop_app.engine.layers import BUILTIN_LAYERS, ELU
from desktop_app.export import OPSET, ExportError, build_onnx_model

from .conftest import TOLERANCE, max_difference, randomize, run_onnx, sample_inputs

IMAGE = (3, 7, 6)  # odd sizes, so 'same' padding and strides leave remainders

SINGLE_LAYER_CASES = {
    "Dense": ((5,), "Dense", {"units": 4}),
    "Dense-no-bias": ((5,), "Dense", {"units": 3, "use_bias": False}),
    "Conv2D-valid": (IMAGE, "Conv2D", {"filters": 4, "kernel_size": [3, 2]}),
    "Conv2D-same-stride2": (IMAGE, "Conv2D", {"filters": 2, "kernel_size": [4, 3], "strides": [2, 2],
                                              "padding": "same"}),
    "Conv2D-no-bias": (IMAGE, "Conv2D", {"filters": 2, "use_bias": False, "padding": "same"}),
    "MaxPool2D": (IMAGE, "MaxPool2D", {}),
    "MaxPool2D-same": (IMAGE, "MaxPool2D", {"pool_size": [3, 3], "strides": [2, 2], "padding": "same"}),
    "AvgPool2D": (IMAGE, "AvgPool2D", {"pool_size": [2, 3]}),
    "AvgPool2D-same": (IMAGE, "AvgPool2D", {"pool_size": [3, 3], "strides": [2, 2], "padding": "same"}),
    "Flatten": (IMAGE, "Flatten", {}),
    "Reshape": ((12,), "Reshape", {"target_shape": [3, -1, 2]}),
    "Dropout": ((6,), "Dropout", {"rate": 0.5}),
    "BatchNorm-features": ((6,), "BatchNorm", {"epsilon": 1e-3}),
    "BatchNorm-channels": (IMAGE, "BatchNorm", {}),
    "ReLU": ((9,), "ReLU", {}),
    "LeakyReLU": ((9,), "LeakyReLU", {"alpha": 0.2}),
    "ELU": ((9,), "ELU", {"alpha": 0.7}),
    "GELU": (IMAGE, "GELU", {}),
    "Sigmoid": ((9,), "Sigmoid", {}),
    "Tanh": ((9,), "Tanh", {}),
    "Softmax": ((2, 7), "Softmax", {}),
}


def merge_graph(type_name: str, config: dict, shapes: list[tuple[int, ...]]) -> list[NodeSpec]:
    """One Input per shape, each through a ReLU, merged by ``type_name``."""
    nodes = []
    for index, shape in enumerate(shapes):
        nodes.append(NodeSpec(f"x{index}", "Input", {"shape": list(shape)}))
        nodes.append(NodeSpec(f"relu{index}", "ReLU", {}, [f"x{index}"]))
    nodes.append(NodeSpec("merge", type_name, config, [f"relu{i}" for i in range(len(shapes))]))
    return nodes


MERGE_CASES = {
    "Add-2": ("Add", {}, [(4,), (4,)]),
    "Add-3-images": ("Add", {}, [IMAGE, IMAGE, IMAGE]),
    "Concatenate-last": ("Concatenate", {}, [(3,), (5,)]),
    "Concatenate-channels": ("Concatenate", {"axis": 0}, [(1, 4, 4), (3, 4, 4)]),
    "Concatenate-negative-axis": ("Concatenate", {"axis": -2}, [(2, 3, 4), (2, 5, 4), (2, 1, 4)]),
}


def test_every_builtin_layer_has_a_case() -> None:
    covered = {case[1] for case in SINGLE_LAYER_CASES.values()} | {c[0] for c in MERGE_CASES.values()}
    builtin = {cls.type_name for cls in BUILTIN_LAYERS} - {"Input"}
    assert builtin <= covered, f"layers without an ONNX test: {sorted(builtin - covered)}"


DTYPES = ("float32", "float64")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", SINGLE_LAYER_CASES, ids=str)
def test_single_layer_matches_engine(case, dtype, registry, assert_onnx_matches) -> None:
    """float64 included: onnxruntime must load the graph (double kernels for every op) and agree
    to 1e-12, so no float32 attribute (alpha, epsilon) or float32-only operator may remain."""
    shape, type_name, config = SINGLE_LAYER_CASES[case]
    model = Model(stack(shape, (type_name, config)), registry.layers, dtype=dtype)
    randomize(model)
    assert_onnx_matches(model)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", MERGE_CASES, ids=str)
def test_merge_layer_matches_engine(case, dtype, registry, assert_onnx_matches) -> None:
    type_name, config, shapes = MERGE_CASES[case]
    model = Model(merge_graph(type_name, config, shapes), registry.layers, dtype=dtype)
    assert_onnx_matches(model)


def test_batchnorm_uses_running_statistics_not_the_batch(registry) -> None:
    """Inference semantics: a batch of one is normalized by the stored running mean and variance."""
    model = Model(stack((4,), ("BatchNorm", {})), registry.layers)
    model.set_weights({
        "batchnorm_1/gamma": np.array([1.0, 2.0, 0.5, 1.0]),
        "batchnorm_1/beta": np.array([0.0, 1.0, -1.0, 0.5]),
        "batchnorm_1/running_mean": np.array([3.0, -2.0, 0.5, 10.0]),
        "batchnorm_1/running_var": np.array([4.0, 0.25, 1.0, 9.0]),
    })
    proto = build_onnx_model(model, registry)
    x = np.array([[5.0, -1.0, 0.5, 13.0]], dtype=np.float32)
    output = run_onnx(proto, {"input": x})["batchnorm_1"]
    expected = np.array([[1.0, 2.0 * 2.0 + 1.0, -1.0, 1.5]], dtype=np.float32)  # (x - mean) / std * g + b
    np.testing.assert_allclose(output, expected, atol=1e-3)


def test_dropout_is_off_in_the_export(registry) -> None:
    model = Model(stack((50,), ("Dropout", {"rate": 0.9})), registry.layers)
    proto = build_onnx_model(model, registry)
    assert [node.op_type for node in proto.graph.node] == ["Identity", "Identity"]


def test_gelu_uses_only_opset_17_primitives(registry) -> None:
    model = Model(stack((3,), ("GELU", {})), registry.layers)
    ops = {node.op_type for node in build_onnx_model(model, registry).graph.node}
    assert ops <= {"Mul", "Add", "Tanh", "Identity"}
    x = np.linspace(-6, 6, 300, dtype=np.float32).reshape(-1, 3)
    output = run_onnx(build_onnx_model(model, registry), {"input": x})["gelu_1"]
    assert np.abs(output - model.forward(x)).max() <= TOLERANCE


def test_residual_graph_matches_engine(registry, assert_onnx_matches) -> None:
    nodes = [
        NodeSpec("input", "Input", {"shape": [6]}),
        NodeSpec("stem", "Dense", {"units": 8}, ["input"]),
        NodeSpec("act", "ReLU", {}, ["stem"]),
        NodeSpec("block", "Dense", {"units": 8}, ["act"]),
        NodeSpec("norm", "BatchNorm", {}, ["block"]),
        NodeSpec("gelu", "GELU", {}, ["norm"]),
        NodeSpec("skip", "Add", {}, ["act", "gelu"]),
        NodeSpec("head", "Dense", {"units": 3}, ["skip"]),
    ]
    model = Model(nodes, registry.layers)
    randomize(model)
    assert_onnx_matches(model, batches=(1, 4, 33))


@pytest.mark.parametrize("dtype", DTYPES)
def test_branching_cnn_matches_engine(registry, assert_onnx_matches, dtype) -> None:
    nodes = [
        NodeSpec("image", "Input", {"shape": [1, 8, 8]}),
        NodeSpec("wide", "Conv2D", {"filters": 3, "kernel_size": [5, 5], "padding": "same"}, ["image"]),
        NodeSpec("narrow", "Conv2D", {"filters": 2, "kernel_size": [1, 1]}, ["image"]),
        NodeSpec("joined", "Concatenate", {"axis": 0}, ["wide", "narrow"]),
        NodeSpec("norm", "BatchNorm", {}, ["joined"]),
        NodeSpec("act", "ELU", {}, ["norm"]),
        NodeSpec("pool", "MaxPool2D", {}, ["act"]),
        NodeSpec("avg", "AvgPool2D", {"padding": "same", "pool_size": [3, 3], "strides": [1, 1]}, ["pool"]),
        NodeSpec("flat", "Flatten", {}, ["avg"]),
        NodeSpec("drop", "Dropout", {"rate": 0.3}, ["flat"]),
        NodeSpec("logits", "Dense", {"units": 10}, ["drop"]),
        NodeSpec("probs", "Softmax", {}, ["logits"]),
    ]
    model = Model(nodes, registry.layers, dtype=dtype)
    randomize(model)
    assert_onnx_matches(model, batches=(2, 9))


def test_several_inputs_and_outputs_keep_their_names(registry, assert_onnx_matches) -> None:
    nodes = [
        NodeSpec("a", "Input", {"shape": [3]}),
        NodeSpec("b", "Input", {"shape": [2]}),
        NodeSpec("both", "Concatenate", {}, ["a", "b"]),
        NodeSpec("score", "Dense", {"units": 1}, ["both"]),
        NodeSpec("probs", "Softmax", {}, ["both"]),
    ]
    model = Model(nodes, registry.layers)
    randomize(model)
    proto = assert_onnx_matches(model)
    assert [i.name for i in proto.graph.input] == ["a", "b"]
    assert [o.name for o in proto.graph.output] == ["score", "probs"]


def test_graph_is_checked_opset_17_with_a_symbolic_batch(registry) -> None:
    model = Model(stack((1, 4, 4), ("Conv2D", {"filters": 2}), ("Flatten", {}), ("Dense", {"units": 3})),
                  registry.layers)
    proto = build_onnx_model(model, registry)
    onnx.checker.check_model(proto, full_check=True)
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", OPSET)] and OPSET == 17
    for value in (*proto.graph.input, *proto.graph.output):
        dims = value.type.tensor_type.shape.dim
        assert dims[0].dim_param == "batch" and not dims[0].HasField("dim_value")
    assert [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim[1:]] == [1, 4, 4]
    assert [d.dim_value for d in proto.graph.output[0].type.tensor_type.shape.dim[1:]] == [3]


@pytest.mark.parametrize("dtype", DTYPES)
def test_weights_become_initializers_named_like_the_weight_files(registry, dtype) -> None:
    model = Model(stack((2, 4, 4), ("Conv2D", {"filters": 3}), ("BatchNorm", {}), ("Flatten", {}),
                        ("Dense", {"units": 2}), ("BatchNorm", {})), registry.layers, dtype=dtype)
    randomize(model)
    graph = build_onnx_model(model, registry).graph
    initializers = {t.name: onnx.numpy_helper.to_array(t) for t in graph.initializer}
    weights = model.get_weights()
    assert set(weights) <= set(initializers)
    for key, value in weights.items():
        np.testing.assert_array_equal(initializers[key], value)


def test_float64_model_exports_doubles(registry) -> None:
    model = Model(stack((4,), ("Dense", {"units": 5}), ("GELU", {}), ("BatchNorm", {}), ("Softmax", {})),
                  registry.layers, dtype="float64")
    randomize(model)
    proto = build_onnx_model(model, registry)
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    assert max_difference(model, proto, sample_inputs(model, 6)) <= 1e-12


def test_float64_graph_onnxruntime_cannot_run_is_refused_naming_node_and_op(registry) -> None:
    """A plugin mapping to an op without a float64 kernel (Elu) gets one line naming both."""
    registry.add("layers", "SmoothStep", type("SmoothStep", (ELU,), {"type_name": "SmoothStep"}), "smooth")
    registry.add("onnx_mappings", "SmoothStep",
                 lambda ctx, layer, node, inputs: ctx.add_node("Elu", inputs), "smooth")
    model = Model(stack((3,), ("SmoothStep", {})), registry.layers, dtype="float64")
    with pytest.raises(ExportError) as caught:
        build_onnx_model(model, registry)
    message = str(caught.value)
    assert "node 'smoothstep_1' (layer type 'SmoothStep', plugin 'smooth')" in message
    assert "'Elu'" in message and "float64" in message and "\n" not in message
    build_onnx_model(Model(stack((3,), ("SmoothStep", {})), registry.layers), registry)  # float32 runs


def test_float64_exports_keep_no_float32_attribute(registry) -> None:
    """alpha and epsilon travel as double tensors: a float attribute would round them to float32."""
    model = Model(stack((3,), ("LeakyReLU", {"alpha": 0.1}), ("ELU", {"alpha": 0.3}),
                        ("BatchNorm", {"epsilon": 1e-3})), registry.layers, dtype="float64")
    for node in build_onnx_model(model, registry).graph.node:
        floats = [a.name for a in node.attribute if a.type == onnx.AttributeProto.FLOAT and a.f != 0.0]
        assert not floats, f"{node.op_type} keeps float32 attribute(s) {floats}"
    x = {"input": np.array([[-3.0, 0.0, 1e6]])}
    engine = model.forward(x["input"], training=False)
    onnx_out = run_onnx(build_onnx_model(model, registry), x)["batchnorm_3"]
    np.testing.assert_allclose(onnx_out, engine, rtol=1e-14)


def test_export_never_changes_the_model(registry) -> None:
    model = Model(stack((4,), ("Dense", {"units": 3}), ("BatchNorm", {})), registry.layers)
    randomize(model)
    before = model.get_weights()
    build_onnx_model(model, registry)
    for key, value in model.get_weights().items():
        np.testing.assert_array_equal(value, before[key])


def test_an_input_chosen_as_output_passes_through(registry, assert_onnx_matches) -> None:
    nodes = [NodeSpec("x", "Input", {"shape": [3]}), NodeSpec("d", "Dense", {"units": 2}, ["x"])]
    proto = assert_onnx_matches(Model(nodes, registry.layers, outputs=["x", "d"]))
    assert [o.name for o in proto.graph.output] == ["x", "d"]
