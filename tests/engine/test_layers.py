"""Every built-in layer through one harness (config, shapes, dtypes, gradients), then references:
convolution and pooling against naive loops, BatchNorm and Dropout modes, numerical stability,
shape errors and initializer statistics."""

from __future__ import annotations

import ast
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from desktop_app.engine import layer as layer_module
from desktop_app.engine import layers as layers_package
from desktop_app.engine.errors import ConfigError, ShapeError
from desktop_app.engine.gradcheck import check_layer_gradients
from desktop_app.engine.graph import Input
from desktop_app.engine.initializers import BUILTIN_INITIALIZERS, initialize
from desktop_app.engine.layers import (
    BUILTIN_LAYERS,
    GELU,
    Add,
    AvgPool2D,
    BatchNorm,
    Concatenate,
    Conv2D,
    Dense,
    Dropout,
    MaxPool2D,
    Reshape,
    Sigmoid,
    Softmax,
)

# One example per built-in layer: a config that moves away from the defaults, and input shapes.
EXAMPLES = {
    "Input": ({"shape": (3, 4)}, []),
    "Dense": ({"units": 4, "kernel_initializer": "he_normal"}, [(5,)]),
    "Conv2D": ({"filters": 3, "kernel_size": (3, 2), "strides": (2, 1), "padding": "same"}, [(2, 5, 6)]),
    "MaxPool2D": ({"pool_size": (2, 2)}, [(2, 4, 5)]),
    "AvgPool2D": ({"pool_size": (3, 3), "strides": (1, 2), "padding": "same"}, [(2, 5, 5)]),
    "Flatten": ({}, [(2, 3, 2)]),
    "Reshape": ({"target_shape": (2, -1)}, [(6,)]),
    "Dropout": ({"rate": 0.3}, [(7,)]),
    "BatchNorm": ({"momentum": 0.8, "epsilon": 1e-3}, [(3, 2, 3)]),
    "ReLU": ({}, [(6,)]),
    "LeakyReLU": ({"alpha": 0.2}, [(6,)]),
    "ELU": ({"alpha": 0.7}, [(6,)]),
    "GELU": ({}, [(6,)]),
    "Sigmoid": ({}, [(6,)]),
    "Tanh": ({}, [(6,)]),
    "Softmax": ({}, [(2, 5)]),
    "Add": ({}, [(4,), (4,), (4,)]),
    "Concatenate": ({"axis": 0}, [(2, 3), (1, 3)]),
}
CATEGORIES = {"Core", "Convolution", "Pooling", "Activation", "Normalization", "Regularization",
              "Reshape", "Merge"}
RUNNABLE = [cls for cls in BUILTIN_LAYERS if cls is not Input]


def built(cls, dtype=np.float32, seed=0):
    config, shapes = EXAMPLES[cls.__name__]
    layer = cls(**config)
    layer.dtype = np.dtype(dtype)
    layer.build(*shapes, rng=np.random.default_rng(seed))
    return layer, shapes


def batch_for(shapes, dtype, batch=4, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((batch, *shape)).astype(dtype) for shape in shapes]


# --- the harness: every built-in layer ----------------------------------------------------------
def test_every_builtin_layer_has_an_example_and_palette_metadata():
    assert sorted(EXAMPLES) == sorted(cls.__name__ for cls in BUILTIN_LAYERS)
    for cls in BUILTIN_LAYERS:
        assert cls.type_name == cls.__name__
        assert cls.category in CATEGORIES, cls
        assert cls.description and "\n" not in cls.description
        json.dumps([spec.to_json() for spec in cls.schema])


@pytest.mark.parametrize("cls", BUILTIN_LAYERS, ids=lambda c: c.__name__)
def test_config_round_trips(cls):
    layer = cls(**EXAMPLES[cls.__name__][0])
    again = cls(**layer.get_config())
    assert again.get_config() == layer.get_config()
    assert set(layer.get_config()) == set(cls.schema.names())


@pytest.mark.parametrize("cls", RUNNABLE, ids=lambda c: c.__name__)
def test_weight_shapes_name_what_build_creates(cls):
    layer, shapes = built(cls)
    made = {key: array.shape for key, array in {**layer.params, **layer.state}.items()}
    assert layer.weight_shapes(*shapes) == made


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("cls", RUNNABLE, ids=lambda c: c.__name__)
def test_forward_keeps_exactly_what_the_layer_declares_in_caches(cls, training):
    layer, shapes = built(cls)
    before = set(vars(layer))
    layer.forward(*batch_for(shapes, np.float32), training=training)
    assert set(vars(layer)) - before == set(cls.caches)


# A line like "dW = xᵀ·g" or "dxᵢ = g": a d-named gradient, set equal to something.
CHAIN_RULE = re.compile(r"(^|[\s:,(])d[^\W\d_]\w*\s*=\s*\S")


@pytest.mark.parametrize("cls", RUNNABLE, ids=lambda c: c.__name__)
def test_each_layer_states_its_chain_rule_in_its_docstring(cls):
    doc = cls.__dict__.get("__doc__") or ""
    assert [line for line in doc.splitlines() if CHAIN_RULE.search(line)], f"{cls.__name__}: {doc!r}"


def test_the_chain_rule_check_tells_a_formula_from_prose():
    assert CHAIN_RULE.search("Chain rule (g = dL/dy): dW = xᵀ·g, db = Σg, dx = g·Wᵀ.")
    assert CHAIN_RULE.search("dβ = Σg, dγ = Σg·x̂")
    assert not CHAIN_RULE.search("Fully connected layer: y = x·W + b; the gradient is computed below.")


CONTRACT_ORDER = ("output_shape", "weight_shapes", "build", "forward", "backward")
LAYER_FILES = sorted((Path(layers_package.__file__).parent).glob("*.py")) + [Path(layer_module.__file__)]


@pytest.mark.parametrize("path", LAYER_FILES, ids=lambda p: p.name)
def test_layer_files_define_the_contract_methods_in_order(path):
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef):
            methods = [item.name for item in node.body if isinstance(item, ast.FunctionDef)]
            defined = [name for name in methods if name in CONTRACT_ORDER]
            assert defined == sorted(defined, key=CONTRACT_ORDER.index), f"{path.name}: {node.name}"


def test_the_method_order_check_reads_every_layer_class():
    names = {node.name for path in LAYER_FILES for node in ast.parse(path.read_text(encoding="utf-8")).body
             if isinstance(node, ast.ClassDef)}
    assert {cls.__name__ for cls in RUNNABLE} | {"Layer"} <= names


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("cls", RUNNABLE, ids=lambda c: c.__name__)
def test_forward_matches_output_shape_and_keeps_float32(cls, training):
    layer, shapes = built(cls)
    out = layer.forward(*batch_for(shapes, np.float32), training=training)
    assert out.shape == (4, *layer.output_shape(*shapes))
    assert out.dtype == np.float32
    grads = layer.backward(np.ones_like(out))
    assert len(grads) == len(shapes)
    for grad, shape in zip(grads, shapes, strict=True):
        assert grad.shape == (4, *shape) and grad.dtype == np.float32
    for name, param in layer.params.items():
        assert param.dtype == np.float32 and layer.grads[name].dtype == np.float32


@pytest.mark.parametrize("cls", RUNNABLE, ids=lambda c: c.__name__)
def test_float64_on_request(cls):
    layer, shapes = built(cls, np.float64)
    assert layer.forward(*batch_for(shapes, np.float64), training=True).dtype == np.float64
    assert all(p.dtype == np.float64 for p in layer.params.values())


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("cls", RUNNABLE, ids=lambda c: c.__name__)
def test_gradients_match_finite_differences(cls, training):
    config, shapes = EXAMPLES[cls.__name__]
    report = check_layer_gradients(cls, shapes, config=config, training=training)
    assert report.ok, str(report)
    expected = {f"input {i}" for i in range(len(shapes))} | set(built(cls)[0].params)
    assert set(report.errors) == expected


@pytest.mark.parametrize("cls", RUNNABLE, ids=lambda c: c.__name__)
def test_backward_overwrites_gradients_and_skips_input_gradient_on_request(cls):
    layer, shapes = built(cls)
    inputs = batch_for(shapes, np.float32)
    out = layer.forward(*inputs, training=False)
    upstream = np.random.default_rng(2).standard_normal(out.shape).astype(np.float32)
    layer.backward(upstream)
    first = {name: grad.copy() for name, grad in layer.grads.items()}
    layer.input_grad_needed = False
    assert layer.backward(upstream) == (None,) * len(shapes)
    for name, grad in layer.grads.items():
        np.testing.assert_array_equal(grad, first[name])  # the same, not doubled


# --- references ----------------------------------------------------------------------------------
def same_pads(size, kernel, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def naive_windows(x, kernel, strides, padding, fill):
    """Yield (i, j, window) by explicit loops: the reference for Conv2D and pooling."""
    (kh, kw), (sh, sw) = kernel, strides
    if padding == "same":
        (t, b), (left, r) = same_pads(x.shape[2], kh, sh), same_pads(x.shape[3], kw, sw)
        x = np.pad(x, ((0, 0), (0, 0), (t, b), (left, r)), constant_values=fill)
    out_h, out_w = (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1
    for i in range(out_h):
        for j in range(out_w):
            yield i, j, x[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]


CONV_CASES = [
    ((3, 3), (1, 1), "valid"),
    ((3, 3), (1, 1), "same"),
    ((3, 2), (2, 1), "same"),
    ((2, 2), (2, 3), "valid"),
    ((4, 3), (3, 2), "same"),
]


@pytest.mark.parametrize("kernel, strides, padding", CONV_CASES)
def test_conv2d_matches_a_naive_loop(kernel, strides, padding):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 7, 8))
    layer = Conv2D(filters=4, kernel_size=kernel, strides=strides, padding=padding)
    layer.dtype = np.dtype(np.float64)
    layer.build((3, 7, 8), rng=rng)
    layer.params["bias"][:] = rng.standard_normal(4)
    out = layer.forward(x)
    weights, bias = layer.params["kernel"], layer.params["bias"]
    expected = np.zeros(out.shape)
    for i, j, window in naive_windows(x, kernel, strides, padding, 0.0):
        for f in range(4):
            expected[:, f, i, j] = np.sum(window * weights[f], axis=(1, 2, 3)) + bias[f]
    assert out.shape == (2, 4, *layer.output_shape((3, 7, 8))[1:])
    np.testing.assert_allclose(out, expected, atol=1e-12)


@pytest.mark.parametrize("kernel, strides, padding", CONV_CASES)
def test_pooling_matches_naive_loops(kernel, strides, padding):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 7, 8))
    for cls, reduce, fill in ((MaxPool2D, np.max, -np.inf), (AvgPool2D, np.nanmean, np.nan)):
        layer = cls(pool_size=kernel, strides=strides, padding=padding)
        layer.build((3, 7, 8), rng=rng)
        out = layer.forward(x)
        expected = np.zeros(out.shape)
        # NaN padding makes nanmean average over real pixels only, as AvgPool2D promises.
        for i, j, window in naive_windows(x, kernel, strides, padding, fill):
            expected[:, :, i, j] = reduce(window, axis=(2, 3))
        np.testing.assert_allclose(out, expected, atol=1e-12, err_msg=cls.__name__)


def test_pool_strides_default_to_the_pool_size():
    assert MaxPool2D(pool_size=(3, 2)).get_config()["strides"] == (3, 2)
    assert AvgPool2D().output_shape((1, 8, 9)) == (1, 4, 4)


def test_maxpool_sends_the_gradient_to_the_maximum_only():
    x = np.array([[[[1.0, 5.0], [3.0, 2.0]]]], dtype=np.float32)
    layer = MaxPool2D()
    layer.build((1, 2, 2), rng=np.random.default_rng())
    assert layer.forward(x)[0, 0, 0, 0] == 5.0
    (dx,) = layer.backward(np.full((1, 1, 1, 1), 2.0, dtype=np.float32))
    np.testing.assert_array_equal(dx, [[[[0.0, 2.0], [0.0, 0.0]]]])


def test_maxpool_gives_a_tied_window_its_gradient_once():
    x = np.zeros((1, 1, 2, 4), dtype=np.float32)  # all ties, as after a ReLU on negatives
    x[0, 0, 1, 3] = 1.0
    layer = MaxPool2D(pool_size=(2, 2), strides=(1, 2))
    layer.build((1, 2, 4), rng=np.random.default_rng())
    (dx,) = layer.backward(np.ones((1, 1, 1, 2), dtype=np.float32) * layer.forward(x) + 1)
    np.testing.assert_array_equal(dx, [[[[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 2.0]]]])


@pytest.mark.parametrize("shape, axes", [((3,), (0,)), ((2, 3, 4), (0, 2, 3))])
def test_batchnorm_training_normalizes_and_updates_running_statistics(shape, axes):
    rng = np.random.default_rng(5)
    x = (rng.standard_normal((16, *shape)) * 3.0 + 2.0).astype(np.float32)
    layer = BatchNorm(momentum=0.75)
    layer.build(shape, rng=rng)
    out = layer.forward(x, training=True)
    np.testing.assert_allclose(out.mean(axis=axes), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=axes), 1.0, atol=1e-3)
    # the running variance averages the unbiased batch variance (ddof=1), as PyTorch's does
    batch_mean, batch_var = x.mean(axis=axes), x.var(axis=axes, ddof=1)
    np.testing.assert_allclose(layer.state["running_mean"], 0.25 * batch_mean, rtol=1e-5)
    np.testing.assert_allclose(layer.state["running_var"], 0.75 + 0.25 * batch_var, rtol=1e-5)


def test_batchnorm_eval_uses_running_statistics_and_leaves_them_alone():
    rng = np.random.default_rng(6)
    layer = BatchNorm(epsilon=1e-3)
    layer.build((3,), rng=rng)
    layer.state["running_mean"][:] = [1.0, -2.0, 0.5]
    layer.state["running_var"][:] = [4.0, 0.25, 1.0]
    layer.params["gamma"][:] = [2.0, 1.0, 0.5]
    layer.params["beta"][:] = [0.0, 1.0, -1.0]
    x = rng.standard_normal((5, 3)).astype(np.float32)
    out = layer.forward(x, training=False)
    expected = (x - [1.0, -2.0, 0.5]) / np.sqrt(np.array([4.0, 0.25, 1.0]) + 1e-3) * [2.0, 1.0, 0.5]
    np.testing.assert_allclose(out, expected + [0.0, 1.0, -1.0], rtol=1e-5)
    np.testing.assert_array_equal(layer.state["running_mean"], np.float32([1.0, -2.0, 0.5]))
    # One sample in eval mode gives the same answer as inside a batch.
    np.testing.assert_allclose(layer.forward(x[:1], training=False), out[:1], rtol=1e-6)


def test_dropout_preserves_the_mean_in_training_and_is_identity_in_eval():
    layer = Dropout(rate=0.3)
    layer.build((1000,), rng=np.random.default_rng(7))
    x = np.ones((200, 1000), dtype=np.float32)
    out = layer.forward(x, training=True)
    assert out.dtype == np.float32
    assert abs(float((out == 0).mean()) - 0.3) < 0.01
    assert abs(float(out.mean()) - 1.0) < 0.01
    np.testing.assert_allclose(out[out != 0], 1 / 0.7, rtol=1e-6)
    assert layer.forward(x, training=False) is x


def test_dropout_masks_follow_the_build_seed():
    def masks(seed):
        layer = Dropout(rate=0.5)
        layer.build((50,), rng=np.random.default_rng(seed))
        x = np.ones((4, 50), dtype=np.float32)
        return layer.forward(x, training=True), layer.forward(x, training=True)

    first, again, other = masks(1), masks(1), masks(2)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], first[1])  # the stream moves on between batches
    assert not np.array_equal(first[0], other[0])


def test_softmax_is_stable_with_huge_logits():
    layer = Softmax()
    x = np.array([[1000.0, 1000.0, -1000.0], [1e30, -1e30, 0.0], [-5e4, -5e4 - 1, -5e4 - 2]],
                 dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is right
        out = layer.forward(x)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(out[0], [0.5, 0.5, 0.0], atol=1e-7)
    np.testing.assert_allclose(out[2], np.exp([0, -1, -2]) / np.exp([0, -1, -2]).sum(), rtol=1e-5)


def test_sigmoid_does_not_overflow_and_gelu_approximates_the_erf_form():
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # exp(-1e4) underflows to 0: right
        out = Sigmoid().forward(np.array([[-1e4, 0.0, 1e4]], dtype=np.float32))
    np.testing.assert_allclose(out, [[0.0, 0.5, 1.0]], atol=1e-7)
    x = np.linspace(-4, 4, 33)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x])
    np.testing.assert_allclose(GELU().forward(x[None]), exact[None], atol=1e-3)


SHAPE_ERRORS = [
    (Dense(units=2), [(3, 4)], "put a Flatten before it"),
    (Conv2D(filters=2), [(16,)], "(channels, height, width)"),
    (Conv2D(filters=2, kernel_size=(5, 5)), [(1, 4, 8)], "does not fit in 4 pixels"),
    (MaxPool2D(pool_size=(3, 3)), [(1, 2, 2)], "padding 'same'"),
    (Reshape(target_shape=(4, 4)), [(15,)], "cannot arrange 15 values per sample as [4, 4]"),
    (Reshape(target_shape=(4, -1)), [(15,)], "cannot arrange 15 values"),
    (BatchNorm(), [(3, 4)], "(features,) or (channels, height, width)"),
    (Add(), [(4,), (5,)], "same shape"),
    (Concatenate(), [(2, 3), (3, 3)], "match on every axis but axis 1"),
    (Concatenate(axis=2), [(2, 3), (2, 3)], "axis 2 is outside samples with 2 axes"),
    (Concatenate(), [(2, 3), (6,)], "same number of axes"),
]


@pytest.mark.parametrize("layer, shapes, expected", SHAPE_ERRORS, ids=lambda v: getattr(v, "type_name", None))
def test_shape_errors_say_what_was_expected_and_received(layer, shapes, expected):
    with pytest.raises(ShapeError) as info:
        layer.output_shape(*shapes)
    message = str(info.value)
    assert message.startswith(layer.type_name + ":")
    assert expected in message
    assert "Received input shape(s): " + ", ".join(map(str, shapes)) in message


def test_reshape_refuses_more_than_one_unknown_size():
    with pytest.raises(ConfigError, match=r"at most one -1. Received: \[-1, -1\]"):
        Reshape(target_shape=(-1, -1))


def test_missing_units_is_a_config_error_naming_the_parameter():
    with pytest.raises(ConfigError, match="Dense: missing required parameter 'units'"):
        Dense()


# --- initializers --------------------------------------------------------------------------------
def test_initializers_have_the_documented_scale():
    rng = np.random.default_rng(8)
    shape, fan_in, fan_out = (400, 300), 400, 300
    he_u = initialize("he_uniform", shape, fan_in, fan_out, rng)
    assert np.abs(he_u).max() <= math.sqrt(6 / fan_in)
    assert he_u.var() == pytest.approx(2 / fan_in, rel=0.03)
    assert initialize("he_normal", shape, fan_in, fan_out, rng).std() == pytest.approx(
        math.sqrt(2 / fan_in), rel=0.03)
    glorot_u = initialize("glorot_uniform", shape, fan_in, fan_out, rng)
    assert np.abs(glorot_u).max() <= math.sqrt(6 / (fan_in + fan_out))
    assert glorot_u.var() == pytest.approx(2 / (fan_in + fan_out), rel=0.03)
    assert initialize("glorot_normal", shape, fan_in, fan_out, rng).std() == pytest.approx(
        math.sqrt(2 / (fan_in + fan_out)), rel=0.03)
    assert not initialize("zeros", (3,), 1, 1, rng).any()
    assert (initialize("ones", (3,), 1, 1, rng) == 1).all()


def test_initializer_names_are_snake_case_and_configs_round_trip():
    for cls in BUILTIN_INITIALIZERS:
        assert cls.type_name == cls.type_name.lower() and " " not in cls.type_name
        assert cls(**cls().get_config()).get_config() == cls().get_config()


def test_conv2d_fan_in_counts_channels_times_kernel_area():
    layer = Conv2D(filters=64, kernel_size=(3, 3), kernel_initializer="he_uniform")
    layer.build((5, 8, 8), rng=np.random.default_rng(9))
    kernel = layer.params["kernel"]
    assert kernel.shape == (64, 5, 3, 3)
    limit = math.sqrt(6 / (5 * 9))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.95 * limit


def test_dense_uses_the_chosen_initializers():
    layer = Dense(units=3, kernel_initializer="zeros", bias_initializer="ones")
    layer.build((4,), rng=np.random.default_rng())
    assert not layer.params["kernel"].any() and (layer.params["bias"] == 1).all()
    with pytest.raises(ConfigError, match="kernel_initializer' must be one of"):
        Dense(units=3, kernel_initializer="orthogonal")
