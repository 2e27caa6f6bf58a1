"""The hooks Backprop Studio calls: this module is the ``backprop_studio.plugins`` entry point."""

from collections.abc import Callable

from desktop_app.hookspecs import hookimpl

from .focal import FocalLoss
from .lion import Lion


@hookimpl
def register_losses(register: Callable[[type], None]) -> None:
    register(FocalLoss)


@hookimpl
def register_optimizers(register: Callable[[type], None]) -> None:
    register(Lion)
