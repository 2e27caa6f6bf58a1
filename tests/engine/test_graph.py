"""The model graph: build errors that name the node, gradients through fan-outs checked end to end,
weights in and out, and the dL/dx skip for layers that read the data directly."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.engine.errors import ConfigError, GraphError, LayerError, ShapeError
from desktop_app.engine.gradcheck import check_model_gradients
from desktop_app.engine.graph import Model, NodeSpec, stack
from desktop_app.engine.layers import BUILTIN_LAYERS, Add, ReLU
from desktop_app.engine.losses import CategoricalCrossentropy, MeanSquaredError

LAYER_TYPES = {cls.type_name: cls for cls in BUILTIN_LAYERS}


def node(name, type_, inputs=(), **config):
    return NodeSpec(name, type_, config, list(inputs))


def residual_nodes():
    """x -> dense -> relu -> dense -> add(relu, dense) -> dense: a residual block."""
    return [
        node("x", "Input", shape=[5]),
        node("d1", "Dense", ["x"], units=6),
        node("r1", "ReLU", ["d1"]),
        node("d2", "Dense", ["r1"], units=6, kernel_initializer="he_normal"),
        node("sum", "Add", ["r1", "d2"]),
        node("bn", "BatchNorm", ["sum"]),
        node("out", "Dense", ["bn"], units=3),
    ]


def branching_nodes():
    """One trunk fanning out into three branches that a Concatenate joins again."""
    return [
        node("x", "Input", shape=[4]),
        node("trunk", "Dense", ["x"], units=5),
        node("a", "Tanh", ["trunk"]),
        node("b", "Dense", ["trunk"], units=3),
        node("b_act", "ELU", ["b"]),
        node("drop", "Dropout", ["trunk"], rate=0.4),
        node("joined", "Concatenate", ["a", "b_act", "drop"]),
        node("out", "Dense", ["joined"], units=2),
    ]


def cnn_nodes():
    return [
        node("image", "Input", shape=[2, 6, 6]),
        node("conv", "Conv2D", ["image"], filters=3, padding="same"),
        node("act", "GELU", ["conv"]),
        node("pool", "MaxPool2D", ["act"]),
        node("conv2", "Conv2D", ["pool"], filters=2, kernel_size=[2, 2]),
        node("avg", "AvgPool2D", ["conv2"], pool_size=[2, 2], padding="same"),
        node("flat", "Flatten", ["avg"]),
        node("logits", "Dense", ["flat"], units=4),
    ]


def build(nodes, **kwargs):
    return Model(nodes, LAYER_TYPES, **kwargs)


# --- build errors name the node ----------------------------------------------------------------
def build_error(nodes, error_type=GraphError):
    with pytest.raises(error_type) as info:
        build(nodes)
    return info.value


def test_a_cycle_is_named_node_by_node():
    error = build_error([
        node("x", "Input", shape=[3]),
        node("a", "Add", ["x", "c"]),
        node("b", "ReLU", ["a"]),
        node("c", "Dense", ["b"], units=3),
    ])
    assert "the graph has a cycle" in str(error)
    assert all(name in str(error) for name in ("a ->", "b ->", "c"))
    assert error.node in {"a", "b", "c"}


def test_a_dangling_input_names_the_node_and_the_missing_source():
    error = build_error([node("x", "Input", shape=[3]), node("dense", "Dense", ["nowhere"], units=2)])
    assert error.node == "dense"
    assert "node 'dense' takes input from 'nowhere', which is not a node of the model" in str(error)


def test_too_few_inputs_are_named():
    error = build_error([node("x", "Input", shape=[3]), node("merge", "Add", ["x"])])
    assert error.node == "merge"
    assert "node 'merge' (Add) needs 2 to any input(s) but has 1: connect an input" in str(error)
    error = build_error([node("x", "Input", shape=[3]), node("lonely", "ReLU")])
    assert error.node == "lonely" and "needs 1 input(s) but has 0" in str(error)


def test_mismatched_add_shapes_name_the_node_and_the_shapes():
    error = build_error([
        node("x", "Input", shape=[3]),
        node("wide", "Dense", ["x"], units=5),
        node("narrow", "Dense", ["x"], units=4),
        node("plus", "Add", ["wide", "narrow"]),
    ], ShapeError)
    assert error.node == "plus"
    assert "node 'plus' (Add)" in str(error) and "(5,), (4,)" in str(error)


def test_missing_required_parameter_names_the_node_and_the_parameter():
    error = build_error([node("x", "Input", shape=[3]), node("head", "Dense", ["x"])])
    assert error.node == "head"
    assert "node 'head'" in str(error) and "missing required parameter 'units'" in str(error)


def test_unknown_type_names_the_node_and_lists_known_types():
    error = build_error([node("x", "Input", shape=[3]), node("mystery", "Dense3D", ["x"], units=2)])
    assert error.node == "mystery"
    assert "unknown layer type 'Dense3D'" in str(error) and "Conv2D" in str(error)


def test_duplicate_names_and_unsupported_dtypes_are_refused():
    error = build_error([node("x", "Input", shape=[3]), node("x", "ReLU", ["x"])])
    assert error.node == "x" and "two nodes are named 'x'" in str(error)
    with pytest.raises(ConfigError, match="dtype must be one of"):
        build(stack((3,), ("ReLU", {})), dtype="float16")


def test_data_of_the_wrong_shape_names_the_input():
    model = build(stack((4,), ("Dense", {"units": 2})))
    with pytest.raises(ShapeError, match=r"input 'input' expects samples of shape \(4,\)\. "
                                         r"Received a batch of shape \(3, 5\)"):
        model.forward(np.zeros((3, 5), dtype=np.float32))


class Exploding(ReLU):
    type_name = "Exploding"

    def forward(self, x, training=False):
        raise RuntimeError("boom")


class TooManyGradients(Add):
    type_name = "TooManyGradients"

    def backward(self, grad):
        return (grad, grad, grad)


def test_a_failing_layer_is_reported_with_its_node_and_phase():
    model = Model(stack((3,), ("Dense", {"units": 2}), ("Exploding", {})),
                  {**LAYER_TYPES, "Exploding": Exploding})
    with pytest.raises(LayerError, match=r"layer 'exploding_2' \(Exploding\) failed in forward: "
                                         r"RuntimeError: boom"):
        model.forward(np.ones((2, 3), dtype=np.float32))
    broken = Model([node("x", "Input", shape=[3]), node("d", "Dense", ["x"], units=3),
                    node("m", "TooManyGradients", ["d", "d"])],
                   {**LAYER_TYPES, "TooManyGradients": TooManyGradients})
    out = broken.forward(np.ones((2, 3), dtype=np.float32))
    with pytest.raises(LayerError, match=r"'m' \(TooManyGradients\) failed in backward: .*one gradient "
                                         r"per input \(2\)\. Received: 3"):
        broken.backward(np.ones_like(out))


# --- gradients through the whole graph ----------------------------------------------------------
def assert_all_rows_ok(rows, model):
    """A row per non-input node in model order, then the loss's row; every one passes."""
    assert [row.node for row in rows[:-1]] == [n for n in model.order if n not in model.input_names]
    assert rows[-1].node.startswith("loss (") and rows[-1].type == "Loss"
    for row in rows:
        assert row.ok, f"{row.node} ({row.type}): params {row.params_error}, input {row.input_error}"


def test_residual_add_model_gradients_match_finite_differences():
    model = build(residual_nodes(), seed=1)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((6, 5)), rng.integers(0, 3, size=6)
    rows = check_model_gradients(model, x, y, CategoricalCrossentropy(), max_entries=None)
    assert_all_rows_ok(rows, model)
    by_node = {row.node: row for row in rows}
    assert by_node["d1"].input_error is None  # fed by the data: no dL/dx to check
    assert by_node["sum"].params_error is None and by_node["sum"].input_error is not None


def test_branching_concatenate_model_gradients_match_finite_differences():
    model = build(branching_nodes(), seed=2)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((5, 4)), rng.standard_normal((5, 2))
    rows = check_model_gradients(model, x, y, MeanSquaredError(), max_entries=None, training=True)
    assert_all_rows_ok(rows, model)


@pytest.mark.parametrize("training", [True, False])
def test_cnn_model_gradients_match_finite_differences(training):
    model = build(cnn_nodes(), seed=3)
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((2, 2, 6, 6)), rng.integers(0, 4, size=2)
    rows = check_model_gradients(model, x, y, CategoricalCrossentropy(), training=training)
    assert_all_rows_ok(rows, model)


def test_model_check_copes_with_max_pool_ties_among_relu_zeros():
    model = build(stack((1, 6, 6), ("Conv2D", {"filters": 2}), ("ReLU", {}), ("MaxPool2D", {}),
                        ("Flatten", {}), ("Dense", {"units": 3})), seed=5)
    model.layers["conv2d_1"].params["bias"][:] = -1.0  # most outputs negative: ReLU zeros tie
    x = np.random.default_rng(7).standard_normal((3, 1, 6, 6))
    pooled_input = model.activations(x)["relu_2"]
    assert (pooled_input == 0).mean() > 0.5
    rows = check_model_gradients(model, x, np.array([0, 1, 2]), CategoricalCrossentropy())
    assert_all_rows_ok(rows, model)


class HalfGradientAdd(Add):
    """Drops half the gradient on its second input: a fan-out bug the model check must catch."""

    type_name = "Add"

    def backward(self, grad):
        first, second = super().backward(grad)[:2]
        return (first, second * 0.5)


def test_model_check_catches_a_wrong_gradient_upstream_of_the_bug():
    model = Model(residual_nodes(), {**LAYER_TYPES, "Add": HalfGradientAdd}, seed=1)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((6, 5)), rng.integers(0, 3, size=6)
    rows = {row.node: row for row in check_model_gradients(model, x, y, CategoricalCrossentropy())}
    assert not rows["sum"].ok and rows["sum"].input_error > 0.1
    assert not rows["d2"].ok  # its weights get half their true gradient
    assert rows["out"].ok and rows["bn"].ok  # downstream of the bug all is well


def test_model_check_leaves_the_float32_model_untouched():
    model = build(branching_nodes())
    before = model.get_weights()
    x, y = np.ones((3, 4), dtype=np.float32), np.zeros((3, 2), dtype=np.float32)
    check_model_gradients(model, x, y, MeanSquaredError(), max_entries=4)
    after = model.get_weights()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert all(a.dtype == np.float32 for a in after.values())


def test_fan_out_gradients_are_summed_not_overwritten():
    """d/dx of relu(x) + tanh(x) through a Dense trunk, against the chain rule written out."""
    model = build([
        node("x", "Input", shape=[3]),
        node("trunk", "Dense", ["x"], units=4),
        node("p", "ReLU", ["trunk"]),
        node("q", "Tanh", ["trunk"]),
        node("sum", "Add", ["p", "q"]),
    ], dtype="float64")
    x = np.random.default_rng(4).standard_normal((5, 3))
    out = model.forward(x)
    model.backward(np.ones_like(out))
    h = x @ model.layers["trunk"].params["kernel"] + model.layers["trunk"].params["bias"]
    dh = (h > 0) + (1 - np.tanh(h) ** 2)
    np.testing.assert_allclose(model.layers["trunk"].grads["kernel"], x.T @ dh, rtol=1e-12)
    np.testing.assert_allclose(model.layers["trunk"].grads["bias"], dh.sum(axis=0), rtol=1e-12)


# --- weights --------------------------------------------------------------------------------------
def test_weights_round_trip_including_batchnorm_state():
    source = build(residual_nodes(), seed=1)
    x = np.random.default_rng(5).standard_normal((8, 5)).astype(np.float32)
    source.forward(x, training=True)  # moves BatchNorm's running statistics off their start
    target = build(residual_nodes(), seed=2)
    assert not np.allclose(source.forward(x), target.forward(x))
    weights = source.get_weights()
    assert {"bn/running_mean", "bn/running_var", "d1/kernel", "out/bias"} <= set(weights)
    target.set_weights(weights)
    np.testing.assert_array_equal(source.forward(x), target.forward(x))
    weights["d1/kernel"][:] = 0  # get_weights hands out copies
    assert source.layers["d1"].params["kernel"].any()


def test_set_weights_names_the_mis_shaped_key_and_missing_ones():
    model = build(residual_nodes())
    weights = model.get_weights()
    weights["d2/kernel"] = np.zeros((6, 7), dtype=np.float32)
    with pytest.raises(GraphError, match=r"weight 'd2/kernel' has shape \(6, 7\); the model expects "
                                         r"\(6, 6\)") as info:
        model.set_weights(weights)
    assert info.value.node == "d2"
    del weights["d2/kernel"]
    weights["ghost/kernel"] = np.zeros(3)
    with pytest.raises(GraphError, match=r"missing \['d2/kernel'\], not in the model \['ghost/kernel'\]"):
        model.set_weights(weights)
    partial = {"out/bias": np.full(3, 7.0)}
    model.set_weights(partial, strict=False)
    assert (model.layers["out"].params["bias"] == 7.0).all()


def test_the_same_seed_gives_the_same_weights():
    first, again, other = (build(cnn_nodes(), seed=s).get_weights() for s in (11, 11, 12))
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert not np.array_equal(first["conv/kernel"], other["conv/kernel"])


def test_with_dtype_copies_graph_and_weights():
    model = build(residual_nodes(), seed=4)
    twin = model.with_dtype("float64")
    x = np.random.default_rng(6).standard_normal((3, 5))
    assert twin.dtype == np.float64 and twin.forward(x).dtype == np.float64
    np.testing.assert_allclose(twin.forward(x), model.forward(x), rtol=1e-5, atol=1e-6)
    twin.layers["d1"].params["kernel"][:] = 0
    assert model.layers["d1"].params["kernel"].any()


def test_activations_and_several_outputs():
    nodes = [*residual_nodes(), node("side", "Sigmoid", ["r1"])]
    model = build(nodes, outputs=["out", "side"])
    x = np.zeros((2, 5), dtype=np.float32)
    outputs = model.forward(x)
    assert set(outputs) == {"out", "side"} and outputs["side"].shape == (2, 6)
    values = model.activations(x)
    assert set(values) == {spec.name for spec in nodes}
    np.testing.assert_array_equal(values["out"], outputs["out"])


# --- the dL/dx skip -------------------------------------------------------------------------------
def test_layers_fed_by_the_data_skip_the_input_gradient():
    model = build(stack((4,), ("ReLU", {}), ("Dense", {"units": 3}), ("Tanh", {}),
                        ("Dense", {"units": 2})))
    needs = {name: model.layers[name].input_grad_needed for name in model.order[1:]}
    assert needs == {"relu_1": False, "dense_2": False, "tanh_3": True, "dense_4": True}
    returned = {}
    for name in needs:
        layer = model.layers[name]
        original = layer.backward

        def spy(grad, _name=name, _original=original):
            returned[_name] = _original(grad)
            return returned[_name]

        layer.backward = spy
    out = model.forward(np.ones((3, 4), dtype=np.float32))
    model.backward(np.ones_like(out))
    assert returned["dense_2"] == (None,)
    assert "relu_1" not in returned  # nothing upstream of it learns: not even called
    assert returned["tanh_3"][0].shape == (3, 3)
    assert model.layers["dense_2"].grads["kernel"].any()
