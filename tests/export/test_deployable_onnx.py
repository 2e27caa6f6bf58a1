"""The deployable ONNX graph: onnxruntime on raw inputs answers as ``predict`` does, for every
shipped example (classifiers, the binary one with a single sigmoid output, regression) and in
float64; where it cannot be built, the raw graph and a note saying why."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest

from desktop_app.data.errors import DataError
from desktop_app.engine.graph import Model, NodeSpec
from desktop_app.engine.losses import MeanSquaredError
from desktop_app.export import Deployment, ExportError, OnnxExporter, build_onnx_model, load_weights
from desktop_app.plugin_system import current_registry
from desktop_app.project import (
    EXAMPLES,
    RunOverrides,
    build_model,
    build_run,
    example_path,
    load_dataset,
    load_preprocessing,
    load_project,
    save_trained,
)
from desktop_app.project.exporting import TrainedModel, export_trained, onnx_deployment
from desktop_app.project.predict import predict
from desktop_app.project.run import fit_preprocessing, make_component

from .conftest import FLOAT64_TOLERANCE, TOLERANCE, run_onnx


def trained_example(name: str, folder) -> TrainedModel:
    """The example trained for one epoch, saved with its record and read back as the CLI reads it."""
    registry = current_registry()
    run = build_run(load_project(example_path(name)), RunOverrides(epochs=1), registry=registry)
    run.fit()
    weights = folder / "weights.npz"
    save_trained(weights, run.model, run.preprocessing)
    model = build_model(run.project, registry)
    model.set_weights(load_weights(weights))
    return TrainedModel(model, run.loss, load_preprocessing(weights), name, weights)


def answers(trained: TrainedModel, x: np.ndarray) -> np.ndarray:
    predictions = predict(trained.model, trained.loss, trained.preprocessing, x, "test")
    return predictions.probabilities if predictions.is_classification else predictions.values


@pytest.mark.parametrize("name", EXAMPLES)
def test_onnxruntime_on_raw_inputs_answers_as_predict(name, tmp_path) -> None:
    trained = trained_example(name, tmp_path)
    assert export_trained(OnnxExporter, trained, tmp_path / "m.onnx", current_registry()) is None
    proto = onnx.load(tmp_path / "m.onnx")
    x = load_dataset(load_project(example_path(name)), current_registry()).x  # raw, as in the dataset
    outputs = run_onnx(proto, {"input": x})
    expected = answers(trained, x)
    if trained.loss.task == "regression":
        assert list(outputs) == ["values"]
        got = outputs["values"]
    else:
        assert list(outputs) == ["logits", "probabilities"]
        got = outputs["probabilities"]
        scaled = trained.preprocessing.scaler.transform(x)
        logits = trained.model.forward(scaled, training=False)
        assert np.abs(outputs["logits"] - logits).max() <= TOLERANCE
    assert got.shape == expected.shape and got.dtype == np.float32
    assert np.abs(got - expected).max() <= TOLERANCE


def test_the_binary_example_gets_both_class_columns(tmp_path) -> None:
    """xor_mlp has one sigmoid output; predict (and the graph) answer with P(class 0), P(class 1)."""
    trained = trained_example("xor_mlp", tmp_path)
    assert trained.model.output_shape == (1,)
    proto = build_onnx_model(trained.model, current_registry(), onnx_deployment(trained)[0])
    x = np.array([[0.5, -0.5], [-1.0, -1.0]], np.float32)
    probabilities = run_onnx(proto, {"input": x})["probabilities"]
    assert probabilities.shape == (2, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)


def test_a_float64_model_answers_as_predict_to_1e_12() -> None:
    """The float64 CNN (im2col in the graph) behind the scaling, in double all the way."""
    registry = current_registry()
    project = load_project(example_path("digits_cnn"))
    project.dtype = "float64"
    model = build_model(project, registry)  # fresh weights, and the scaler a run would fit
    preprocessing = fit_preprocessing(project, registry)
    loss = make_component(registry.losses, project.training.loss, project, "loss")
    trained = TrainedModel(model, loss, preprocessing, "cnn64")
    proto = build_onnx_model(model, registry, onnx_deployment(trained)[0])
    x = load_dataset(project, current_registry()).x[:300]
    probabilities = run_onnx(proto, {"input": x.astype(np.float64)})["probabilities"]
    assert probabilities.dtype == np.float64
    assert np.abs(probabilities - answers(trained, x)).max() <= FLOAT64_TOLERANCE


def test_the_scaling_is_folded_as_sub_and_div_in_the_models_dtype(tmp_path) -> None:
    trained = trained_example("sine_regression", tmp_path)  # standardized inputs
    proto = build_onnx_model(trained.model, current_registry(), onnx_deployment(trained)[0])
    first = [node.op_type for node in proto.graph.node[:2]]
    assert first == ["Sub", "Div"] and list(proto.graph.node[0].input)[0] == "input"
    initializers = {tensor.name: onnx.numpy_helper.to_array(tensor) for tensor in proto.graph.initializer}
    scaler = trained.preprocessing.scaler
    assert initializers["input_scaling/offset"].dtype == np.float32
    np.testing.assert_array_equal(initializers["input_scaling/offset"], scaler.offset.astype(np.float32))
    np.testing.assert_array_equal(initializers["input_scaling/scale"], scaler.scale.astype(np.float32))


def test_metadata_says_what_the_graph_is(tmp_path) -> None:
    trained = trained_example("spiral_mlp", tmp_path)
    registry = current_registry()
    export_trained(OnnxExporter, trained, tmp_path / "deployable.onnx", registry)
    export_trained(OnnxExporter, trained, tmp_path / "raw.onnx", registry, raw=True)
    for file, included in (("deployable.onnx", "true"), ("raw.onnx", "false")):
        metadata = {prop.key: prop.value for prop in onnx.load(tmp_path / file).metadata_props}
        assert metadata["includes_input_scaling"] == included
        assert json.loads(metadata["class_names"]) == ["class 0", "class 1", "class 2"]
        assert json.loads(metadata["sample_shape"]) == [2]
        assert metadata["project_name"] == "spiral_mlp"
        assert metadata["app_version"] == onnx.load(tmp_path / file).producer_version


def test_without_a_preprocessing_record_the_raw_graph_and_a_note(tmp_path) -> None:
    trained = trained_example("sine_regression", tmp_path)
    bare = TrainedModel(trained.model, trained.loss, None, "sine", tmp_path / "w.npz")
    note = export_trained(OnnxExporter, bare, tmp_path / "m.onnx", current_registry())
    assert note.startswith(f"no preprocessing record beside {tmp_path / 'w.npz'}: exported the raw graph")
    proto = onnx.load(tmp_path / "m.onnx")
    assert [output.name for output in proto.graph.output] == ["output"]
    assert {prop.key: prop.value for prop in proto.metadata_props}["includes_input_scaling"] == "false"


class Squared(MeanSquaredError):
    """A plugin's loss whose predictions are its own: no ONNX form of them is known."""

    type_name = "squared_predictions"

    def predict(self, output: np.ndarray) -> np.ndarray:
        return output**2


def test_a_loss_with_its_own_predictions_gets_the_raw_graph(tmp_path) -> None:
    trained = trained_example("sine_regression", tmp_path)
    own = TrainedModel(trained.model, Squared(), trained.preprocessing, "sine")
    deployment, note = onnx_deployment(own)
    assert deployment is None and "the loss 'squared_predictions'" in note and "raw graph" in note


def test_class_names_that_do_not_fit_the_outputs_are_refused(tmp_path) -> None:
    trained = trained_example("spiral_mlp", tmp_path)
    wrong = trained.preprocessing.__class__(trained.preprocessing.scaler, ("a", "b", "c", "d"), "spiral")
    with pytest.raises(DataError, match=r"outputs shape \(3,\) but its weights were trained on 4 classes"):
        onnx_deployment(TrainedModel(trained.model, trained.loss, wrong, "spiral"))


def deployment(model) -> Deployment:
    shape = model.input_shape
    return Deployment(np.full(shape, 0.5), np.full(shape, 2.0), "identity", probabilities=False)


def test_an_input_named_like_a_deployable_output_is_refused(registry) -> None:
    nodes = [NodeSpec("values", "Input", {"shape": [3]}), NodeSpec("out", "Dense", {"units": 1}, ["values"])]
    model = Model(nodes, registry.layers)
    with pytest.raises(ExportError, match="the Input node 'values' has the name of an output"):
        build_onnx_model(model, registry, deployment(model))


def test_a_network_of_two_inputs_has_no_deployable_graph(registry) -> None:
    nodes = [NodeSpec("a", "Input", {"shape": [2]}), NodeSpec("b", "Input", {"shape": [2]}),
             NodeSpec("sum", "Add", {}, ["a", "b"])]
    model = Model(nodes, registry.layers)
    with pytest.raises(ExportError, match="one input and one output"):
        build_onnx_model(model, registry, deployment(model))
    preprocessing = fit_preprocessing(load_project(example_path("sine_regression")), current_registry())
    deployable, note = onnx_deployment(TrainedModel(model, MeanSquaredError(), preprocessing, "two"))
    assert deployable is None and note.startswith("the network has 2 inputs and 1 outputs")
