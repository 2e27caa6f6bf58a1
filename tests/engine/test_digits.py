"""Real data: the UCI optdigits 8x8 handwritten digits (1797 samples, 10 classes)."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.data.shipped import load_optdigits
from desktop_app.engine import (
    BUILTIN_LAYERS,
    Adam,
    CategoricalCrossentropy,
    CosineDecay,
    Model,
    Trainer,
    stack,
)

LAYERS = {cls.type_name: cls for cls in BUILTIN_LAYERS}


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_optdigits()
    assert x.shape == (1797, 64) and set(np.unique(y)) == set(range(10))
    return x, y


def test_a_two_layer_mlp_reaches_97_percent_validation_accuracy(digits):
    x, y = digits
    nodes = stack((64,), ("Dense", {"units": 64}), ("ReLU", {}), ("Dense", {"units": 10}))
    model = Model(nodes, LAYERS, seed=0)
    trainer = Trainer(model, CategoricalCrossentropy(), Adam(learning_rate=0.003), schedule=CosineDecay())
    history = trainer.fit(x, y, epochs=30, batch_size=32, validation_split=0.2, seed=0)
    assert history.reason == "completed"
    assert history.series("val_accuracy")[-1] >= 0.97
    assert history.series("loss")[-1] < 0.1 * history.series("loss")[0]


def test_a_small_cnn_trains(digits):
    x, y = digits
    model = Model(
        stack(
            (64,),
            ("Reshape", {"target_shape": [1, 8, 8]}),
            ("Conv2D", {"filters": 8, "kernel_size": [3, 3], "padding": "same"}),
            ("ReLU", {}),
            ("MaxPool2D", {"pool_size": [2, 2]}),
            ("Flatten", {}),
            ("Dense", {"units": 10}),
        ),
        LAYERS,
        seed=0,
    )
    trainer = Trainer(model, CategoricalCrossentropy(), Adam(learning_rate=0.003))
    history = trainer.fit(x, y, epochs=8, batch_size=32, validation_split=0.2, seed=0)
    assert history.series("val_accuracy")[-1] >= 0.9  # chance is 0.1
    assert history.series("loss")[-1] < 0.2 * history.series("loss")[0]
    assert np.isfinite(model.get_weights()["conv2d_2/kernel"]).all()
