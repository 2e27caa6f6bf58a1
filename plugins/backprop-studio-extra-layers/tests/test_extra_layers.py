"""The plugin's own tests: the math through desktop_app.testing, then registration in a host."""

import numpy as np
import pytest
from backprop_studio_extra_layers import LayerNorm, Swish, plugin

from desktop_app.plugin_system import current_registry
from desktop_app.testing import check_layer


@pytest.mark.parametrize("beta", [0.5, 1.0, 4.0])
def test_swish_passes_the_layer_checks(beta):
    check_layer(Swish, config={"beta": beta})


def test_swish_is_silu_at_beta_one():
    x = np.linspace(-30, 30, 13, dtype=np.float32).reshape(1, -1)
    expected = x / (1 + np.exp(-x.astype(np.float64)))
    np.testing.assert_allclose(Swish().forward(x), expected, rtol=1e-6, atol=1e-30)


@pytest.mark.parametrize("shapes", [[(8,)], [(3, 5)]])
def test_layer_norm_passes_the_layer_checks(shapes):
    check_layer(LayerNorm, input_shapes=shapes)


def test_layer_norm_normalizes_each_sample():
    layer = LayerNorm()
    layer.build((6,), rng=np.random.default_rng(0))
    x = np.random.default_rng(1).normal(5.0, 3.0, size=(4, 6)).astype(np.float32)
    y = layer.forward(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.mean(axis=1), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=1), 1.0, rtol=1e-3)


def test_plugin_registers_both_layers_with_their_onnx_mappings_and_pytorch_code(register_plugin):
    info = register_plugin(plugin, "extra_layers")
    assert info.problems == []
    both = ["Swish", "LayerNorm"]
    assert info.contributes == {"layers": both, "onnx_mappings": both, "pytorch_code": both}
    assert current_registry().layers["Swish"] is Swish
    assert current_registry().owner("layers", "LayerNorm") == "extra_layers"
