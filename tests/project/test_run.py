"""build_run: one project + one seed = one set of weights; overrides; errors before training."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.engine.early_stopping import EarlyStopping
from desktop_app.fileio import save_weights_npz
from desktop_app.hookspecs import hookimpl
from desktop_app.plugin_system import current_registry
from desktop_app.project import ProjectError, RunOverrides, build_model, build_run, load_dataset


def trained_weights(project, overrides=None):
    run = build_run(project, overrides, registry=current_registry())
    run.fit()
    return run.model.get_weights()


def assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_run_is_ready(tiny_project):
    run = build_run(tiny_project, registry=current_registry())
    assert run.model.input_shape == (2,) and run.model.output_shape == (1,)
    assert run.loss.type_name == "binary_crossentropy"
    assert run.optimizer.config["learning_rate"] == 0.05
    assert [m.type_name for m in run.metrics] == ["accuracy"]
    assert run.fit_kwargs["epochs"] == 3 and run.fit_kwargs["batch_size"] == 16
    assert run.fit_kwargs["seed"] == 7 and run.fit_kwargs["shuffle"] is True
    assert len(run.data.x_train) == 48 and len(run.data.x_val) == 16
    assert run.data.y_train.shape == (48, 1) and run.data.y_train.dtype == np.float32
    np.testing.assert_allclose(run.data.x_train.mean(axis=0), 0.0, atol=1e-6)
    assert run.preprocessing.class_names == ("class 0", "class 1")


def test_same_seed_same_weights_different_seed_different(tiny_project):
    first = trained_weights(tiny_project)
    assert_same(first, trained_weights(tiny_project))
    other = trained_weights(tiny_project, RunOverrides(seed=8))
    assert not np.array_equal(first["hidden/kernel"], other["hidden/kernel"])


def test_initial_weights_follow_the_seed(tiny_project):
    registry = current_registry()
    assert_same(build_model(tiny_project, registry, seed=3).get_weights(),
                build_run(tiny_project, RunOverrides(seed=3), registry=registry).model.get_weights())


def test_overrides_reach_the_trainer(tiny_project):
    run = build_run(tiny_project, RunOverrides(epochs=2, batch_size=5, learning_rate=0.5, shuffle=False),
                    registry=current_registry())
    assert run.fit_kwargs["epochs"] == 2 and run.fit_kwargs["batch_size"] == 5
    assert run.fit_kwargs["shuffle"] is False
    assert run.optimizer.config["learning_rate"] == 0.5
    history = run.fit()
    assert len(history.epochs) == 2


def test_starting_weights_from_a_file(tiny_project, tmp_path):
    start = build_model(tiny_project, current_registry(), seed=99).get_weights()
    save_weights_npz(tmp_path / "start.npz", start)
    run = build_run(tiny_project, RunOverrides(weights=tmp_path / "start.npz"), registry=current_registry())
    assert_same(run.model.get_weights(), start)
    fresh = build_run(tiny_project, registry=current_registry())
    assert not np.array_equal(fresh.model.get_weights()["hidden/kernel"], start["hidden/kernel"])


def test_weights_that_do_not_fit_are_named(tiny_project, tmp_path):
    save_weights_npz(tmp_path / "other.npz", {"hidden/kernel": np.zeros((3, 3), np.float32)})
    with pytest.raises(ProjectError,
                       match=r"other\.npz: weights do not fit this model: missing \['hidden/bias'"):
        build_run(tiny_project, RunOverrides(weights=tmp_path / "other.npz"), registry=current_registry())


def test_bad_component_parameter_names_its_json_path(tiny_project):
    tiny_project.training.optimizer.config["momentum"] = 0.9
    with pytest.raises(ProjectError, match=r"\$\.training\.optimizer\.config: adam: unknown parameter\(s\) "
                                           r"\['momentum'\]"):
        build_run(tiny_project, registry=current_registry())


def test_bad_dataset_option_names_its_json_path(tiny_project):
    tiny_project.dataset.options["n_samples"] = 1
    with pytest.raises(ProjectError, match=r"\$\.dataset\.options: xor: parameter 'n_samples' must be >= 4"):
        build_run(tiny_project, registry=current_registry())


def test_graph_error_names_the_node_and_its_json_path(tiny_project):
    tiny_project.nodes[1].config["units"] = 0
    with pytest.raises(ProjectError, match=r"\$\.model\.nodes\[1\]: node 'hidden'"):
        build_run(tiny_project, registry=current_registry())


def test_input_shape_must_match_the_data(tiny_project):
    tiny_project.nodes[0].config["shape"] = [3]
    with pytest.raises(ProjectError, match=r"\$\.model\.nodes\[0\]\.config\.shape: dataset 'xor' has samples "
                                           r"of shape \(2,\), but the model's input 'input' takes \(3,\)"):
        build_run(tiny_project, registry=current_registry())


def test_output_must_fit_the_classes(tiny_project):
    tiny_project.training.loss.type = "categorical_crossentropy"
    with pytest.raises(ProjectError, match=r"\$\.model\.nodes\[3\]: dataset 'xor' has 2 classes, "
                                           r"so the model must output shape \(2,\)"):
        build_run(tiny_project, registry=current_registry())


def test_file_datasets_resolve_against_the_project_folder(tiny_project, tmp_path):
    folder = tmp_path / "proj"
    (folder / "data").mkdir(parents=True)
    rows = "\n".join(f"{a},{b},{int((a > 0) != (b > 0))}" for a, b in
                     np.random.default_rng(0).uniform(-1, 1, (40, 2)))
    (folder / "data" / "xor.csv").write_text("a,b,label\n" + rows + "\n")
    from desktop_app.project import save_project

    tiny_project.dataset.type = "csv"
    tiny_project.dataset.options = {"path": "data/xor.csv", "target": "label"}
    save_project(tiny_project, folder / "p.bps.json")
    dataset = load_dataset(tiny_project, current_registry())
    assert len(dataset) == 40 and dataset.feature_names == ("a", "b")
    assert build_run(tiny_project, registry=current_registry()).fit().epochs


def test_float64_models_get_float64_data(tiny_project):
    tiny_project.dtype = "float64"
    run = build_run(tiny_project, registry=current_registry())
    assert run.data.x_train.dtype == np.float64 and run.data.y_train.dtype == np.float64
    run.fit()
    assert run.model.get_weights()["out/kernel"].dtype == np.float64


def test_a_dataset_can_be_passed_in(tiny_project):
    dataset = load_dataset(tiny_project, current_registry()).subset(np.arange(20))
    run = build_run(tiny_project, dataset=dataset, registry=current_registry())
    assert len(run.data.x_train) + len(run.data.x_val) == 20


def test_callbacks_receive_the_run(tiny_project):
    epochs = []

    class Recorder:
        def on_epoch_end(self, event):
            epochs.append(event.epoch)

    build_run(tiny_project, callbacks=[Recorder()], registry=current_registry()).fit()
    assert epochs == [1, 2, 3]


class EpochCounter:
    """A plugin implementing the training notification hooks."""

    def __init__(self) -> None:
        self.events: list[str] = []

    @hookimpl
    def on_run_start(self, info, model):
        self.events.append("start")

    @hookimpl
    def on_epoch_end(self, event, model):
        self.events.append(f"epoch {event.epoch}")

    @hookimpl
    def on_run_end(self, result, model):
        self.events.append(result.reason)


def test_plugins_hear_every_run_built_from_a_project(tiny_project, register_plugin):
    counter = EpochCounter()
    register_plugin(counter, "epoch-counter")
    build_run(tiny_project, RunOverrides(epochs=2), registry=current_registry()).fit()
    assert counter.events == ["start", "epoch 1", "epoch 2", "completed"]


def test_metrics_for_another_task_are_refused_by_name(tiny_project):
    tiny_project.training.metrics = ["accuracy", "r2", "mae"]
    with pytest.raises(ProjectError) as caught:
        build_run(tiny_project, registry=current_registry())
    assert str(caught.value) == (
        "$.training.metrics[1]: metric(s) 'r2' (for regression), 'mae' (for regression) do not apply to the "
        "binary task of the loss 'binary_crossentropy'. Expected metrics for binary: ['accuracy']"
    )


def test_a_metric_that_declares_no_task_fits_any_loss(tiny_project, register_plugin):
    from types import SimpleNamespace

    from desktop_app.engine.metric import Metric

    class Anything(Metric):
        type_name = "anything"

        def __call__(self, pred, target):
            return 0.0

    plugin = SimpleNamespace(register_metrics=hookimpl(lambda register: register(Anything)))
    register_plugin(plugin, "anything")
    tiny_project.training.metrics = ["anything"]
    run = build_run(tiny_project, registry=current_registry())
    assert [metric.kind_name() for metric in run.metrics] == ["anything"]


def test_data_errors_name_the_project_file_and_the_setting(tiny_file):
    from desktop_app.project import load_project

    project = load_project(tiny_file)
    project.training.validation_split = 0.9
    project.dataset.options["n_samples"] = 4
    with pytest.raises(ProjectError, match=rf"^{tiny_file}: \$\.training\.validation_split: a validation "
                                           r"split of 0\.9 leaves no training samples out of 4$"):
        build_run(project, registry=current_registry())
    project.training.validation_split = 0.25
    project.dataset.options["n_samples"] = 64
    project.training.early_stopping = EarlyStopping(monitor="val_acc")
    with pytest.raises(ProjectError, match=rf"^{tiny_file}: \$\.training: early stopping monitors 'val_acc'"):
        build_run(project, registry=current_registry()).fit()


@pytest.mark.parametrize("make", [lambda folder: None, lambda folder: (folder / "points.csv").mkdir()])
def test_a_missing_dataset_file_is_named_with_its_json_path(tiny_project, tmp_path, make):
    from desktop_app.project import save_project

    make(tmp_path)
    tiny_project.dataset.type = "csv"
    tiny_project.dataset.options = {"path": "points.csv"}
    save_project(tiny_project, tmp_path / "p.bps.json")
    problem = "is a folder, not a file" if (tmp_path / "points.csv").exists() else "does not exist"
    with pytest.raises(ProjectError) as caught:
        build_run(tiny_project, registry=current_registry())
    assert str(caught.value) == (f"{tmp_path / 'p.bps.json'}: $.dataset.options.path: the dataset file "
                                 f"'points.csv' ({tmp_path / 'points.csv'}) {problem}")


def test_an_unreadable_dataset_file_is_named_with_the_project(tiny_project, tmp_path, monkeypatch):
    from desktop_app.data import CsvFile
    from desktop_app.project import save_project

    (tmp_path / "points.csv").write_text("a,b\n1,0\n")
    tiny_project.dataset.type = "csv"
    tiny_project.dataset.options = {"path": "points.csv"}
    save_project(tiny_project, tmp_path / "p.bps.json")

    def denied(self):
        raise PermissionError(13, "Permission denied", self.config["path"])

    monkeypatch.setattr(CsvFile, "load", denied)
    with pytest.raises(ProjectError) as caught:
        build_run(tiny_project, registry=current_registry())
    assert str(caught.value) == (f"{tmp_path / 'p.bps.json'}: $.dataset.options: cannot read "
                                 f"{tmp_path / 'points.csv'} (Permission denied)")
