"""One validation split: the engine's ``Trainer.fit(validation_split=...)`` and a project's run
(the CLI's and the window's ``build_run``) hold out the same samples for the same seed."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.data.dataset import Dataset
from desktop_app.data.preprocess import split_and_scale
from desktop_app.engine.graph import Model, NodeSpec
from desktop_app.engine.losses import MeanSquaredError
from desktop_app.engine.metric import Metric
from desktop_app.engine.optimizers import SGD
from desktop_app.engine.training import Trainer
from desktop_app.plugin_system import current_registry
from desktop_app.project.run import build_run, load_dataset


class SeenTargets(Metric):
    """Records the targets of every evaluation (the training set's, then the validation set's)."""

    type_name = "seen_targets"

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[np.ndarray] = []

    def __call__(self, pred: np.ndarray, target: np.ndarray) -> float:
        self.seen.append(target.ravel().copy())
        return 0.0


def engine_validation_indices(count: int, fraction: float, seed: int) -> np.ndarray:
    """The samples ``Trainer.fit`` validates on: each sample's target is its own index."""
    model = Model([NodeSpec("x", "Input", {"shape": [1]}), NodeSpec("y", "Dense", {"units": 1}, ["x"])],
                  current_registry().layers)
    metric = SeenTargets()
    trainer = Trainer(model, MeanSquaredError(), SGD(learning_rate=0.01), metrics=[metric])
    index = np.arange(count, dtype=np.float32).reshape(-1, 1)
    trainer.fit(index, index, epochs=1, batch_size=count, validation_split=fraction, seed=seed)
    held_out = max(1, round(count * fraction))
    [validation] = [targets for targets in metric.seen if len(targets) == held_out]
    return validation.astype(np.intp)


def data_path_validation_indices(count: int, fraction: float, seed: int) -> np.ndarray:
    dataset = Dataset(np.zeros((count, 1)), np.zeros(count), "zeros")
    return split_and_scale(dataset, loss_task="regression", output_shape=(1,), validation_split=fraction,
                           seed=seed).val_indices


@pytest.mark.parametrize(("count", "fraction", "seed"), [(20, 0.2, 0), (64, 0.25, 7), (101, 0.1, 12345)])
def test_the_engine_and_the_data_path_hold_out_the_same_samples(count, fraction, seed):
    # 20 samples, seed 0 once gave [8, 10, 16, 19] in the engine and [2, 4, 6, 19] in a project
    np.testing.assert_array_equal(engine_validation_indices(count, fraction, seed),
                                  data_path_validation_indices(count, fraction, seed))


def test_a_project_run_validates_on_the_samples_the_engine_would(tiny_project):
    settings = tiny_project.training
    run = build_run(tiny_project, registry=current_registry())
    count = len(load_dataset(tiny_project, current_registry()))
    expected = engine_validation_indices(count, settings.validation_split, settings.seed)
    np.testing.assert_array_equal(run.data.val_indices, expected)
    dataset = run.data.dataset
    np.testing.assert_array_equal(run.data.x_val, run.data.scaler.transform(dataset.x[expected]))
