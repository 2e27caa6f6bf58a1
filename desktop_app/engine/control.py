"""TrainingControl: pause, resume, stop and change the learning rate of a run from another thread,
and the other settings that may change mid-run: an optimizer's or a layer's numeric parameters
(momentum, weight decay, a Dropout rate).

The trainer looks at the control between batches, so every request takes effect before the next
batch starts. Pausing parks the training thread on a ``threading.Event`` (no busy wait); ``stop()``
also releases a paused run. A stop request is consumed by the run that honours it, and a learning
rate no batch took is dropped: when ``fit`` returns, the control is ready for the next run.
"""

from __future__ import annotations

import math
import threading
import time

from .errors import ConfigError

# The target of ``set_param`` that means the run's optimizer (node names are layers).
OPTIMIZER = "optimizer"


class TrainingControl:
    """Thread-safe requests from a GUI or a signal handler to the thread running ``Trainer.fit``."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._parked = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._learning_rate: float | None = None
        # (OPTIMIZER or a node name, parameter name) -> the value to set before the next batch
        self._params: dict[tuple[str, str], float] = {}
        # how many times the training thread has parked (callbacks on that thread compare counts
        # to learn that the time since the previous batch includes a pause)
        self.parks = 0

    # --- requests (any thread) -----------------------------------------------------------------
    def pause(self) -> None:
        """Hold the run before its next batch until ``resume()`` or ``stop()``."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        """End the run before its next batch, keeping the weights as they are (releases a pause)."""
        self._stop.set()
        self._running.set()

    def set_learning_rate(self, lr: float) -> None:
        """Use ``lr`` as the optimizer's learning rate (the rate the schedule scales) from the next batch."""
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr < 0:
            raise ConfigError(f"the learning rate must be a finite number >= 0. Received: {lr!r}")
        with self._lock:
            self._learning_rate = float(lr)

    def set_param(self, target: str, name: str, value: float) -> None:
        """Set parameter ``name`` of the optimizer (``target`` OPTIMIZER) or of the layer at node
        ``target`` to ``value`` from the next batch; the trainer checks it against the schema."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"{target}.{name} must be a finite number. Received: {value!r}")
        with self._lock:
            self._params[(target, name)] = float(value)

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def wait_until_paused(self, timeout: float | None = None) -> bool:
        """Block until the training thread is parked by a pause; False if ``timeout`` passed first."""
        return self._parked.wait(timeout)

    # --- the training thread -----------------------------------------------------------------------
    def needs_attention(self) -> bool:
        """Cheap per-batch test: is there a pause, a stop, a new learning rate or parameter to handle?"""
        return (self._learning_rate is not None or bool(self._params) or not self._running.is_set()
                or self._stop.is_set())

    def wait_while_paused(self) -> float:
        """Park the calling thread while paused; returns the seconds spent parked."""
        if self._running.is_set():
            return 0.0
        start = time.perf_counter()
        self.parks += 1
        self._parked.set()
        try:
            self._running.wait()
        finally:
            self._parked.clear()
        return time.perf_counter() - start

    def take_learning_rate(self) -> float | None:
        """The learning rate set since the last call, or None; each value is handed out once."""
        with self._lock:
            lr, self._learning_rate = self._learning_rate, None
        return lr

    def take_params(self) -> dict[tuple[str, str], float]:
        """The parameters set since the last call, each handed out once."""
        with self._lock:
            params, self._params = self._params, {}
        return params

    def reset(self) -> None:
        """Forget a stop request, a pause and a learning rate no batch took (the trainer calls this
        when a run ends: requests made too late for a run must not reach the next one)."""
        self._stop.clear()
        self._running.set()
        with self._lock:
            self._learning_rate = None
            self._params = {}
