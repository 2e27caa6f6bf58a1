"""Shared fixtures: a registry of the built-ins only, and the ONNX-vs-engine comparison (to 1e-5 for
float32 models, 1e-12 for float64 ones)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from desktop_app.engine.graph import Model
from desktop_app.engine.layers import BUILTIN_LAYERS
from desktop_app.export import BUILTIN_EXPORTERS, BUILTIN_ONNX_MAPPINGS, build_onnx_model
from desktop_app.registry import Registry

TOLERANCE = 1e-5
# docs/export.md promises float64 exports agree with the engine to about 1e-12
FLOAT64_TOLERANCE = 1e-12


@pytest.fixture
def registry() -> Registry:
    """The built-in layers, exporters and ONNX mappings, owned by 'builtin' (no plugin discovery)."""
    registry = Registry()
    for cls in BUILTIN_LAYERS:
        registry.add("layers", cls.type_name, cls, "builtin")
    for cls in BUILTIN_EXPORTERS:
        registry.add("exporters", cls.type_name, cls, "builtin")
    for name, mapping in BUILTIN_ONNX_MAPPINGS.items():
        registry.add("onnx_mappings", name, mapping, "builtin")
    return registry


def randomize(model: Model, seed: int = 1) -> None:
    """Non-trivial weights everywhere: random biases and BatchNorm running statistics far from 0/1."""
    rng = np.random.default_rng(seed)
    for key, array in model.get_weights().items():
        if key.endswith("running_var"):
            value = rng.uniform(0.3, 3.0, array.shape)
        else:
            value = rng.normal(0.0, 0.7, array.shape)
        model.set_weights({key: value}, strict=False)


def run_onnx(proto: onnx.ModelProto, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(names, dict(inputs)), strict=True))


def sample_inputs(model: Model, batch: int, seed: int = 2) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        name: rng.normal(0.0, 1.5, (batch, *model.shapes[name])).astype(model.dtype)
        for name in model.input_names
    }


def max_difference(model: Model, proto: onnx.ModelProto, inputs: Mapping[str, np.ndarray]) -> float:
    """The largest |onnxruntime - engine| over every output (engine in inference mode)."""
    engine = model.forward(dict(inputs), training=False)
    if not isinstance(engine, dict):
        engine = {model.output_names[0]: engine}
    onnx_outputs = run_onnx(proto, inputs)
    assert set(onnx_outputs) == set(engine)
    for name, value in engine.items():
        assert onnx_outputs[name].shape == value.shape, name
        assert onnx_outputs[name].dtype == value.dtype, name
    return max(float(np.max(np.abs(onnx_outputs[n] - engine[n]))) for n in engine)


@pytest.fixture
def assert_onnx_matches(registry: Registry) -> Callable[..., onnx.ModelProto]:
    """Export ``model`` and check onnxruntime reproduces its forward pass on random batches."""

    def check(model: Model, batches: tuple[int, ...] = (1, 5)) -> onnx.ModelProto:
        proto = build_onnx_model(model, registry)
        tolerance = FLOAT64_TOLERANCE if model.dtype == np.float64 else TOLERANCE
        for batch in batches:
            difference = max_difference(model, proto, sample_inputs(model, batch, seed=batch))
            assert difference <= tolerance, f"batch {batch}: max abs difference {difference}"
        return proto

    return check
