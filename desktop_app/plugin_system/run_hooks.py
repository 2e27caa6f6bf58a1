"""Plugins during a training run: the notification hooks, called from the training thread, and the
message that names the plugin of a layer that failed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..engine.errors import LayerError
from .current import current_host
from .host import PluginHost
from .report import PluginProblem

logger = logging.getLogger("desktop_app.plugins")


class PluginCallback:
    """A trainer callback forwarding run start, epoch end and run end to the notification hooks.

    It runs on the training thread. A plugin raising there is reported (to ``on_problem`` if
    given, else the ``desktop_app.plugins`` logger), recorded in the host, and muted for the rest
    of the run; training goes on. Batch ends are not forwarded: they are the trainer's hot path.
    """

    def __init__(
        self,
        model: Any,
        host: PluginHost | None = None,
        on_problem: Callable[[PluginProblem], None] | None = None,
    ) -> None:
        self.model = model
        self.host = host or current_host()
        self.on_problem = on_problem
        self._muted: set[str] = set()

    @classmethod
    def attach(
        cls,
        trainer: Any,
        host: PluginHost | None = None,
        on_problem: Callable[[PluginProblem], None] | None = None,
    ) -> PluginCallback:
        """Add a PluginCallback for ``trainer.model`` to an engine Trainer's callbacks (before ``fit``)."""
        callback = cls(trainer.model, host, on_problem)
        trainer.callbacks.append(callback)
        return callback

    def on_run_start(self, info: Any) -> None:
        self._muted = set()
        self._send("on_run_start", info=info)

    def on_epoch_end(self, event: Any) -> None:
        self._send("on_epoch_end", event=event)

    def on_run_end(self, result: Any) -> None:
        self._send("on_run_end", result=result)

    def _send(self, hook_name: str, **kwargs: Any) -> None:
        for problem in self.host.notify(hook_name, self._muted, model=self.model, **kwargs):
            if self.on_problem is not None:
                self.on_problem(problem)
            else:
                logger.warning("%s", problem.message)


def format_layer_error(error: LayerError, host: PluginHost | None = None) -> str:
    """A LayerError with the layer type's plugin named, as the CLI and the GUI show it."""
    host = host or current_host()
    owner = host.owner_label("layers", error.layer_type) or "no loaded plugin"
    info = host.plugins.get(host.registry.owner("layers", error.layer_type) or "")
    hint = ""
    if info is not None and not info.builtin:
        hint = f" (to run without it: backprop-studio plugins disable {info.name})"
    return (f"layer '{error.node}' ({error.layer_type}, from {owner}) failed in {error.phase}: "
            f"{type(error.cause).__name__}: {error.cause}{hint}")
