"""At run time: notification hooks during training, errors naming plugins, the fixtures themselves."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest

from desktop_app.engine.errors import LayerError
from desktop_app.engine.graph import Model, stack
from desktop_app.engine.layer import Layer
from desktop_app.engine.loss import Loss
from desktop_app.engine.losses import MeanSquaredError
from desktop_app.engine.optimizer import Optimizer
from desktop_app.engine.optimizers import SGD
from desktop_app.engine.training import Trainer
from desktop_app.hookspecs import hookimpl
from desktop_app.plugin_system import PluginCallback, current_registry, format_layer_error


class Recorder:
    """A plugin object recording the notifications it gets and the thread they arrive on."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.threads: set[int] = set()

    @hookimpl
    def on_run_start(self, info, model):
        self.calls.append(("start", info.epochs, model))
        self.threads.add(threading.get_ident())

    @hookimpl
    def on_epoch_end(self, event):
        self.calls.append(("epoch", event.epoch))
        self.threads.add(threading.get_ident())

    @hookimpl
    def on_run_end(self, result, model):
        self.calls.append(("end", result.reason, len(result.history.epochs)))


class Crasher:
    """A plugin raising in every epoch-end notification."""

    def __init__(self) -> None:
        self.count = 0

    @hookimpl
    def on_epoch_end(self, event):
        self.count += 1
        raise RuntimeError("plugin bug")


def _trainer() -> Trainer:
    model = Model(stack((2,), ("Dense", {"units": 3}), ("ReLU", {}), ("Dense", {"units": 1})),
                  current_registry().layers, seed=0)
    return Trainer(model, MeanSquaredError(), SGD(learning_rate=0.05))


def _fit_on_worker_thread(trainer: Trainer) -> tuple[object, int]:
    x = np.random.default_rng(0).standard_normal((32, 2)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    out: list[object] = []
    worker = threading.Thread(target=lambda: out.append(trainer.fit(x, y, epochs=3, batch_size=8)))
    worker.start()
    worker.join()
    return out[0], worker.ident


def test_notification_hooks_run_on_the_worker_thread_and_a_raising_plugin_is_muted(register_plugin):
    recorder, crasher = Recorder(), Crasher()
    register_plugin(recorder, "recorder")
    register_plugin(crasher, "crasher")
    trainer = _trainer()
    reported = []
    PluginCallback.attach(trainer, on_problem=reported.append)

    history, worker_ident = _fit_on_worker_thread(trainer)

    assert len(history.epochs) == 3 and history.reason == "completed"
    assert recorder.calls == [("start", 3, trainer.model), ("epoch", 1), ("epoch", 2), ("epoch", 3),
                              ("end", "completed", 3)]
    assert recorder.threads == {worker_ident}
    assert crasher.count == 1
    [problem] = reported
    assert problem.plugin == "crasher" and problem.phase == "run"
    assert "raised in on_epoch_end(); not called again this run: RuntimeError: plugin bug" in problem.message
    assert "plugin bug" in problem.traceback
    _fit_on_worker_thread(trainer)
    assert crasher.count == 2, "a new run calls the plugin again"


def test_run_problems_go_to_the_log_without_a_handler(register_plugin, caplog):
    register_plugin(Crasher(), "crasher")
    trainer = _trainer()
    PluginCallback.attach(trainer)
    with caplog.at_level("WARNING", logger="desktop_app.plugins"):
        _fit_on_worker_thread(trainer)
    assert any("plugin bug" in record.message for record in caplog.records)


EXPLODER = SimpleNamespace()


class Exploder(Layer):
    """Fine on the registration check's small inputs; raises on large ones."""

    type_name = "Exploder"

    def output_shape(self, *shapes):
        return shapes[0]

    def forward(self, x, training=False):
        if np.abs(x).max() > 100:
            raise FloatingPointError("input too large")
        return x

    def backward(self, grad):
        return (grad,)


@hookimpl
def _register_exploder(register):
    register(Exploder)


EXPLODER.register_layers = _register_exploder


def test_layer_error_is_reported_with_the_layer_type_and_its_plugin(register_plugin, plugin_host):
    register_plugin(EXPLODER, "exploder")
    model = Model(stack((2,), ("Exploder", {}), ("Dense", {"units": 1})), current_registry().layers)
    with pytest.raises(LayerError) as caught:
        model.forward(np.full((1, 2), 1e3, np.float32))
    assert format_layer_error(caught.value) == (
        "layer 'exploder_1' (Exploder, from plugin 'exploder' (types.SimpleNamespace)) failed in forward: "
        "FloatingPointError: input too large (to run without it: backprop-studio plugins disable exploder)"
    )
    builtin_error = LayerError("dense_2", "Dense", "backward", ValueError("bad"))
    assert format_layer_error(builtin_error, plugin_host) == (
        "layer 'dense_2' (Dense, from built-in plugin 'builtin.layers') failed in backward: ValueError: bad"
    )


class Float64Loss(MeanSquaredError):
    type_name = "upcasting_mse"

    def backward(self):
        return super().backward().astype(np.float64)


class Rebinder(Optimizer):
    type_name = "rebinder"

    def update(self, param, grad, slots, lr):
        param = param - lr * grad  # a new array: the model's parameter never changes


class NotALoss(Loss):
    type_name = "broken_loss"
    task = "classification"

    def forward(self, pred, target):
        return float("nan")


def test_losses_and_optimizers_breaking_their_contract_are_quarantined(register_plugin, plugin_host):
    plugin = SimpleNamespace()

    @hookimpl
    def register_losses(register):
        register(Float64Loss)
        register(NotALoss)

    @hookimpl
    def register_optimizers(register):
        register(Rebinder)

    plugin.register_losses, plugin.register_optimizers = register_losses, register_optimizers
    info = register_plugin(plugin, "sloppy")
    assert info.contributes == {}
    reasons = {name: problem.message for (_, name), problem in plugin_host.quarantined.items()}
    assert "with pred's shape (4, 2) and dtype float32. Received: array of shape (4, 2), dtype float64" \
        in reasons["upcasting_mse"]
    assert "broken_loss.forward must return a finite number. Received: nan" in reasons["broken_loss"]
    assert "rebinder.step must update the float32 parameter in place" in reasons["rebinder"]


def test_register_plugin_fixture_scopes_the_registry_to_the_test(register_plugin, plugin_host):
    from desktop_app.plugin_system import current_host

    assert current_host() is plugin_host
    info = register_plugin(EXPLODER, "exploder")
    assert info.contributes == {"layers": ["Exploder"]}
    assert current_registry().owner("layers", "Exploder") == "exploder"
    assert list(plugin_host.plugins)[-1] == "exploder"


class Fragile(Layer):
    """Passes the registration check (a batch of 3) but fails in backward on real batches."""

    type_name = "Fragile"

    def output_shape(self, *shapes):
        return shapes[0]

    def forward(self, x, training=False):
        return x

    def backward(self, grad):
        if len(grad) > 3:
            raise RuntimeError("gradient blew up")
        return (grad,)


def test_training_stops_with_an_error_naming_the_layer_type_and_its_plugin(register_plugin, tmp_path, capsys):
    import json

    from desktop_app.cli import main
    from desktop_app.paths import EXAMPLES_DIR

    register_plugin(SimpleNamespace(register_layers=hookimpl(lambda register: register(Fragile))), "fragile")
    project = json.loads((EXAMPLES_DIR / "spiral_mlp.bps.json").read_text())
    project["model"]["nodes"][2]["type"] = "Fragile"
    path = tmp_path / "fragile.bps.json"
    path.write_text(json.dumps(project))
    code = main(["train", str(path), "--epochs", "1", "--out", str(tmp_path / "run"), "--quiet"])
    assert code == 2
    assert capsys.readouterr().err == (
        "error: layer 'relu_1' (Fragile, from plugin 'fragile' (types.SimpleNamespace)) failed in backward: "
        "RuntimeError: gradient blew up (to run without it: backprop-studio plugins disable fragile)\n"
    )
