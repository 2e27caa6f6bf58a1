"""``recipe.py`` of a PyTorch export: the project's settings, loss, optimizer and schedule, with the
engine's conventions written out as arguments.

PyTorch's defaults differ from the engine's in places a reader would not guess: Adam's and
RMSprop's epsilon (1e-8 there, 1e-7 here), RMSprop's decay (``alpha`` there, ``rho`` here),
Adagrad's initial accumulator (0 there, 0.1 here), SGD's ``dampening`` (kept 0: the engine's
momentum is v <- m v + g). Every one is passed explicitly. The schedule is the engine's formula,
evaluated by train.py before every step; PyTorch's schedulers count differently.
"""

from __future__ import annotations

import pprint
import textwrap
from collections.abc import Callable, Mapping
from typing import Any

from ..engine.component import Component
from ..engine.loss import Loss
from ..engine.optimizer import Optimizer
from ..registry import Registry
from .errors import ExportError
from .pytorch_code import PluginCode, plugin_code

LOSSES: dict[str, tuple[str, str]] = {
    "categorical_crossentropy": ("nn.CrossEntropyLoss()", "softmax cross-entropy on logits, averaged over "
                                 "the samples; targets are class indices or one-hot rows"),
    "binary_crossentropy": ("nn.BCEWithLogitsLoss()", "sigmoid cross-entropy on logits, averaged over "
                            "every element"),
    "mse": ("nn.MSELoss()", "mean squared error over every element"),
    "mae": ("nn.L1Loss()", "mean absolute error over every element"),
    "huber": ("nn.HuberLoss(delta={delta!r})", "squared inside delta, linear beyond, averaged over every "
              "element"),
}

OPTIMIZERS: dict[str, tuple[str, str]] = {
    "sgd": ("torch.optim.SGD(parameters, lr=lr, momentum={momentum!r}, dampening=0.0, "
            "nesterov={nesterov!r}, weight_decay={weight_decay!r})",
            "v <- momentum v + g, without dampening; weight decay is added to the gradient"),
    "adam": ("torch.optim.Adam(parameters, lr=lr, betas=({beta_1!r}, {beta_2!r}), eps={epsilon!r}, "
             "weight_decay={weight_decay!r})",
             "epsilon added to sqrt(v_hat), 1e-7 by default; weight decay is added to the gradient"),
    "adamw": ("torch.optim.AdamW(parameters, lr=lr, betas=({beta_1!r}, {beta_2!r}), eps={epsilon!r}, "
              "weight_decay={weight_decay!r})",
              "the weights shrink by lr * weight_decay before Adam's step"),
    "rmsprop": ("torch.optim.RMSprop(parameters, lr=lr, alpha={rho!r}, eps={epsilon!r}, "
                "weight_decay={weight_decay!r}, momentum=0.0, centered=False)",
                "the app's rho is PyTorch's alpha; epsilon is added to sqrt(v)"),
    "adagrad": ("torch.optim.Adagrad(parameters, lr=lr, lr_decay=0.0, "
                "initial_accumulator_value={initial_accumulator!r}, eps={epsilon!r}, "
                "weight_decay={weight_decay!r})",
                "the squared-gradient sum starts at initial_accumulator (PyTorch's default is 0)"),
}

SCHEDULES: dict[str, str] = {
    "constant": "    return base_lr",
    "step": ("    epoch = step // max(steps_per_epoch, 1)\n"
             "    return base_lr * {gamma!r} ** (epoch // {step_size!r})"),
    "exponential": "    return base_lr * {gamma!r} ** (step // max(steps_per_epoch, 1))",
    "cosine": ("    warmup = round({warmup_epochs!r} * steps_per_epoch)\n"
               "    if step < warmup:\n"
               "        return base_lr * (step + 1) / warmup\n"
               "    progress = min((step - warmup) / max(total_steps - warmup, 1), 1.0)\n"
               "    return {min_lr!r} + (base_lr - {min_lr!r}) * 0.5 * (1.0 + math.cos(math.pi * progress))"),
}

METRICS = ("accuracy", "mae", "r2")
DEFAULT_METRICS = {"classification": ["accuracy"], "binary": ["accuracy"], "regression": ["mae", "r2"]}


def recipe_source(header: str, project_name: str, settings: Mapping[str, Any], loss: Loss,
                  optimizer: Optimizer, schedule: Component,
                  registry: Registry) -> tuple[str, list[PluginCode]]:
    """recipe.py and the plugin classes it uses; ExportError for an item with no PyTorch form."""
    plugins: list[PluginCode] = []
    loss_code, loss_doc = _component(loss, "losses", LOSSES, registry, plugins, _plugin_loss)
    optimizer_code, optimizer_doc = _component(optimizer, "optimizers", OPTIMIZERS, registry, plugins,
                                               _plugin_optimizer)
    schedule_name = schedule.kind_name()
    if schedule_name not in SCHEDULES:
        raise ExportError(f"the schedule '{schedule_name}' ({_owner(registry, 'schedules', schedule_name)}) "
                          "has no PyTorch form: the PyTorch export writes the built-in schedules")
    schedule_code = SCHEDULES[schedule_name].format(**schedule.config)
    imports = ["import math\n"] if "math." in schedule_code else []
    imports += ["import torch", "from torch import nn"]
    classes = sorted({code.class_name for code in plugins})
    if classes:
        imports.append(f"from plugin_code import {', '.join(classes)}")
    setting_lines = "\n".join(f"    {key!r}: {_literal(value, len(repr(key)) + 6)},"
                              for key, value in settings.items())
    text = f'''"""{header}"""

{chr(10).join(imports)}

PROJECT = {project_name!r}

SETTINGS = {{
{setting_lines}
}}

# Clipping by global norm (0: off), the app's rule: when the norm of all gradients together exceeds
# this, every gradient is scaled by CLIP_NORM / norm, before weight decay enters the optimizer.
CLIP_NORM = {optimizer.config["clip_norm"]!r}


def make_loss() -> nn.Module:
    """{_docstring(f"{loss.kind_name()}: {loss_doc}.")}"""
    return {loss_code}


def make_optimizer(parameters, lr: float) -> torch.optim.Optimizer:
    """{_docstring(f"{optimizer.kind_name()}: {optimizer_doc}.")}"""
    return {optimizer_code}


def learning_rate(base_lr: float, step: int, steps_per_epoch: int, total_steps: int) -> float:
    """The '{schedule_name}' schedule's rate for the 0-based optimizer step (the app's formula)."""
{schedule_code}
'''
    return text, plugins


def metric_names(names: list[str], task: str, registry: Registry) -> list[str]:
    """The metrics a run logs (the task's defaults when the project names none); ExportError for
    one train.py cannot compute."""
    chosen = list(names) or DEFAULT_METRICS[task]
    for name in chosen:
        if name not in METRICS:
            raise ExportError(f"the metric '{name}' ({_owner(registry, 'metrics', name)}) has no PyTorch "
                              f"form: the PyTorch export computes {', '.join(METRICS)}")
    return chosen


def _component(item: Component, kind: str, table: Mapping[str, tuple[str, str]], registry: Registry,
               plugins: list[PluginCode], plugin_call: Callable[[PluginCode, Component], str]
               ) -> tuple[str, str]:
    name = item.kind_name()
    if name in table:
        code, doc = table[name]
        return code.format(**item.config), doc
    code = plugin_code(registry, kind, name, "the project's training")
    plugins.append(code)
    return plugin_call(code, item), f"the class plugin '{code.plugin}' gives"


def _plugin_loss(code: PluginCode, loss: Component) -> str:
    return f"{code.class_name}({_arguments(loss.config)})"


def _plugin_optimizer(code: PluginCode, optimizer: Component) -> str:
    """Built as ``Class(parameters, lr=lr, **config)``; clipping stays train.py's."""
    config = {key: value for key, value in optimizer.config.items()
              if key not in ("learning_rate", "clip_norm")}
    return f"{code.class_name}(parameters, lr=lr{', ' if config else ''}{_arguments(config)})"


def _literal(value: Any, indent: int) -> str:
    """``value`` as Python, wrapped to fit a line that starts ``indent`` columns in."""
    return pprint.pformat(value, width=100 - indent, sort_dicts=False).replace("\n", "\n" + " " * indent)


def _docstring(text: str) -> str:
    return textwrap.fill(text, width=96, subsequent_indent="    ")


def _arguments(config: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in config.items())


def _owner(registry: Registry, kind: str, name: str) -> str:
    return f"plugin '{registry.owner(kind, name) or 'unknown'}'"
