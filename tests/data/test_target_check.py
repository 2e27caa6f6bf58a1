"""One target check: the data layer (a Dataset, for the window and a project's run) and the engine
(raw arrays, for ``Trainer.fit``, the LR range test and the sanity checks) accept and refuse the
same targets for the same loss and output, and a refusal names the same expected output shape."""

from __future__ import annotations

import re

import numpy as np
import pytest

from desktop_app.data import DataError, Dataset
from desktop_app.data.preprocess import format_targets
from desktop_app.engine import (
    BUILTIN_LAYERS,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanSquaredError,
    Model,
    ShapeError,
    stack,
)
from desktop_app.engine.fit_data import checked_arrays

LAYERS = {cls.type_name: cls for cls in BUILTIN_LAYERS}
LOSSES = {"classification": CategoricalCrossentropy, "binary": BinaryCrossentropy,
          "regression": MeanSquaredError}
OUTPUTS = [(1,), (2,), (3,), (2, 2)]
EXPECTED_SHAPE = re.compile(r"must output shape (\(\d+,\)(?: or \(1,\))?)|"
                            r"targets of shape (\(\d+,\)); the model")

# (targets, loss task) -> the output shapes that fit; any other is refused naming `wanted`.
LABEL_CASES = {
    ("2 classes", "classification"): ([(2,)], "(2,)"),
    ("2 classes", "binary"): ([(1,), (2,)], "(2,) or (1,)"),
    ("2 classes", "regression"): ([(1,), (2,)], "(2,) or (1,)"),
    ("3 classes", "classification"): ([(3,)], "(3,)"),
    ("3 classes", "binary"): ([(3,)], "(3,)"),
    ("3 classes", "regression"): ([(3,)], "(3,)"),
    ("values (1,)", "regression"): ([(1,)], "(1,)"),
    ("values (2,)", "regression"): ([(2,)], "(2,)"),
}
CASES = [(targets, task, output, output in fits, wanted)
         for (targets, task), (fits, wanted) in LABEL_CASES.items() for output in OUTPUTS]


def dataset(targets: str) -> Dataset:
    """Six samples whose labels hold every class, or regression values of the given shape."""
    x = np.random.default_rng(0).normal(size=(6, 2))
    if targets.startswith("values"):
        width = int(targets[-3])
        return Dataset(x, np.random.default_rng(1).normal(size=(6, width)), "r")
    classes = int(targets[0])
    return Dataset(x, np.arange(6) % classes, "c", tuple("abc"[:classes]))


def model(output: tuple[int, ...]) -> Model:
    width = int(np.prod(output))
    layers = [("Dense", {"units": width})]
    if len(output) > 1:
        layers.append(("Reshape", {"target_shape": list(output)}))
    return Model(stack((2,), *layers), LAYERS)


def data_verdict(data: Dataset, task: str, output: tuple[int, ...]) -> str | None:
    try:
        format_targets(data.y, data, task, output, one_hot=False)
    except DataError as error:
        assert error.setting == "output_shape", str(error)
        return str(error)
    return None


def engine_verdict(data: Dataset, task: str, output: tuple[int, ...]) -> str | None:
    network = model(output)
    try:
        checked_arrays(network, LOSSES[task](), data.x, data.y, "training data")
    except ShapeError as error:
        assert error.node == network.output_names[0], str(error)
        return str(error)
    return None


def named_shape(message: str) -> str:
    found = EXPECTED_SHAPE.search(message)
    assert found, message
    return found.group(1) or found.group(2)


@pytest.mark.parametrize(("targets", "task", "output", "fits", "wanted"), CASES,
                         ids=[f"{t}-{task}-{o}" for t, task, o, _, _ in CASES])
def test_the_data_layer_and_the_engine_give_one_verdict(targets, task, output, fits, wanted):
    data = dataset(targets)
    by_data, by_engine = data_verdict(data, task, output), engine_verdict(data, task, output)
    if targets == "2 classes" and output == (3,):
        # The engine sees labels, not class names: an output with room for a class the labels never
        # reach is a class missing from these samples (a sanity check's first few, a validation
        # split), so it trains; the data layer knows the dataset has two classes and refuses.
        assert by_engine is None and named_shape(by_data) == wanted
        return
    assert (by_data is None, by_engine is None) == (fits, fits), (by_data, by_engine)
    if not fits:
        assert named_shape(by_data) == named_shape(by_engine) == wanted
        assert "Received model output shape " + str(output) in by_data
        assert "Received model output shape " + str(output) in by_engine


def test_accepted_labels_reach_the_loss_in_the_same_layout():
    """What each path hands the loss: labels to a classification loss, one-hot rows or one 0/1 column
    to a binary or regression loss."""
    for targets, task, output, fits, _ in CASES:
        data = dataset(targets)
        if not fits:
            continue
        _, by_engine = checked_arrays(model(output), LOSSES[task](), data.x, data.y, "training data")
        by_data = format_targets(data.y, data, task, output, one_hot=False)
        assert by_engine.shape == by_data.shape, (targets, task, output)
        np.testing.assert_array_equal(by_engine, by_data)


def test_regression_values_for_a_class_loss_are_the_loss_setting():
    data = dataset("values (2,)")
    for task in ("classification", "binary"):
        with pytest.raises(DataError, match=f"dataset 'r' holds regression targets; a {task} loss needs "
                                            "class labels") as caught:
            format_targets(data.y, data, task, (2,), one_hot=False)
        assert caught.value.setting == "loss"


def test_integer_targets_are_labels_to_the_engine():
    """Integers are class labels (as scikit-learn's type_of_target reads them): labels 0..2 for a
    single regression output are refused as the data layer refuses three classes there, and the
    message says how to mean values instead."""
    x, counts = np.zeros((3, 2)), np.array([0, 1, 2])
    with pytest.raises(ShapeError, match=r"labels up to 2, so the model must output shape \(3,\).*pass "
                                         r"floats for regression values"):
        checked_arrays(model((1,)), MeanSquaredError(), x, counts, "training data")
    _, y = checked_arrays(model((1,)), MeanSquaredError(), x, counts.astype(float), "training data")
    np.testing.assert_array_equal(y[:, 0], counts)


def test_fractional_labels_are_named_before_the_class_count():
    """The class count is read from the highest label, so a fractional one is refused first."""
    with pytest.raises(ShapeError, match="class indices must be whole numbers"):
        checked_arrays(model((2,)), CategoricalCrossentropy(), np.zeros((2, 2)), np.array([0.0, 2.5]),
                       "training data")
    _, labels = checked_arrays(model((1,)), BinaryCrossentropy(), np.zeros((2, 2)), np.array([True, False]),
                               "training data")
    np.testing.assert_array_equal(labels, [[1.0], [0.0]])
