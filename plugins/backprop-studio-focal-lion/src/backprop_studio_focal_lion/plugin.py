"""The hooks Backprop Studio calls: this module is the ``backprop_studio.plugins`` entry point."""

from collections.abc import Callable
from importlib import resources

from desktop_app.hookspecs import PytorchCode, hookimpl

from .focal import FocalLoss
from .lion import Lion


@hookimpl
def register_losses(register: Callable[[type], None]) -> None:
    register(FocalLoss)


@hookimpl
def register_optimizers(register: Callable[[type], None]) -> None:
    register(Lion)


@hookimpl
def register_pytorch_code(register: Callable[[str, PytorchCode], None]) -> None:
    # The text of pytorch.py, which the app copies into a PyTorch export and never imports.
    source = resources.files(__package__).joinpath("pytorch.py").read_text(encoding="utf-8")
    register("focal", PytorchCode("FocalLoss", source))
    register("lion", PytorchCode("Lion", source))
