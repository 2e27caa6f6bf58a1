"""Settings changed during a run (momentum, weight decay, a Dropout rate) take effect from the next
batch, are checked against their schema, and a request too late for a run is dropped."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.engine import (
    SGD,
    CategoricalCrossentropy,
    ConfigError,
    Model,
    Trainer,
    TrainingControl,
    stack,
)
from desktop_app.engine.control import OPTIMIZER

from .test_lr_range import LAYERS, blobs


def trainer(optimizer, *extra, callbacks=()) -> Trainer:
    model = Model(stack((4,), ("Dense", {"units": 8}), *extra, ("Dense", {"units": 3})), LAYERS, seed=0)
    return Trainer(model, CategoricalCrossentropy(), optimizer, callbacks=callbacks, metrics=[])


class ChangeAt:
    """Requests ``changes`` (target, name, value) at the end of batch ``step``; records what each
    batch ran with through ``watch(trainer)``."""

    def __init__(self, step, *changes, watch=None):
        self.step, self.changes, self.watch, self.seen = step, changes, watch, []

    def on_batch_end(self, event):
        self.seen.append(self.watch() if self.watch else None)
        if event.step == self.step:
            for change in self.changes:
                self.trainer.control.set_param(*change)


def fit(trainer, epochs=1):
    x, y = blobs()
    return trainer.fit(x, y, epochs=epochs, batch_size=30, shuffle=False)


def test_momentum_turned_on_mid_run_changes_the_steps_from_the_next_batch():
    plain = trainer(SGD(learning_rate=0.05))
    fit(plain)
    change = ChangeAt(5, (OPTIMIZER, "momentum", 0.9))
    changed = trainer(SGD(learning_rate=0.05), callbacks=[change])
    change.trainer = changed
    fit(changed)
    assert changed.optimizer.config["momentum"] == 0.9
    assert not np.allclose(plain.model.get_weights()["dense_2/kernel"],
                           changed.model.get_weights()["dense_2/kernel"])
    # the same change made before batch 6 by hand gives the same weights: it took effect there
    by_hand = trainer(SGD(learning_rate=0.05))
    x, y = blobs()
    by_hand.fit(x[:150], y[:150], epochs=1, batch_size=30, shuffle=False)
    by_hand.optimizer.config["momentum"] = 0.9
    by_hand.fit(x[150:], y[150:], epochs=1, batch_size=30, shuffle=False)
    for key, value in by_hand.model.get_weights().items():
        np.testing.assert_allclose(changed.model.get_weights()[key], value, rtol=1e-6, err_msg=key)


def test_a_dropout_rate_set_to_zero_mid_run_stops_dropping_from_the_next_batch():
    change = ChangeAt(2, ("dropout_2", "rate", 0.0))
    run = trainer(SGD(), ("Dropout", {"rate": 0.5}), callbacks=[change])
    change.trainer = run
    change.watch = lambda: run.model.layers["dropout_2"]._mask is not None  # this batch dropped values
    fit(run)
    assert change.seen[:2] == [True, True] and not any(change.seen[2:])


def test_weight_decay_mid_run_and_bad_requests_are_named():
    change = ChangeAt(1, (OPTIMIZER, "weight_decay", 0.01))
    run = trainer(SGD(), callbacks=[change])
    change.trainer = run
    fit(run)
    assert run.optimizer.config["weight_decay"] == 0.01
    for bad, message in (((OPTIMIZER, "momentum", 2.0), "parameter 'momentum'"),
                         ((OPTIMIZER, "nesterov", 1.0), "no numeric parameter 'nesterov'"),
                         (("nowhere", "rate", 0.1), "no node 'nowhere'")):
        change = ChangeAt(1, bad)
        run = trainer(SGD(), callbacks=[change])
        change.trainer = run
        with pytest.raises(ConfigError, match=message):
            fit(run)
    with pytest.raises(ConfigError, match="finite"):
        TrainingControl().set_param(OPTIMIZER, "momentum", float("nan"))


def test_a_request_no_batch_took_does_not_reach_the_next_run():
    run = trainer(SGD())
    fit(run)
    run.control.set_param(OPTIMIZER, "weight_decay", 0.5)
    run.control.reset()
    fit(run)
    assert run.optimizer.config["weight_decay"] == 0.0
