"""The pure-NumPy backpropagation engine: graph models, layers, losses, optimizers, and training.

The names most callers need, in one place::

    from desktop_app.engine import Model, stack, Trainer, BUILTIN_LAYERS
    model = Model(stack((2,), ("Dense", {"units": 16}), ("ReLU", {}), ("Dense", {"units": 2})),
                  {cls.type_name: cls for cls in BUILTIN_LAYERS})
    Trainer(model, CategoricalCrossentropy(), Adam()).fit(x, y, epochs=10, batch_size=32)

Nothing here imports Qt or the plugin machinery; plugins reach the engine through the registry.
"""

from .callbacks import BatchEvent, Callback, EpochEvent, History, RunInfo, RunResult
from .control import TrainingControl
from .early_stopping import EarlyStopping
from .errors import (
    ConfigError,
    EngineError,
    GraphError,
    LayerError,
    NonFiniteLossError,
    ShapeError,
)
from .graph import Input, Model, NodeSpec, stack
from .layer import Layer
from .layers import BUILTIN_LAYERS
from .loss import Loss
from .losses import (
    BUILTIN_LOSSES,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Huber,
    MeanAbsoluteError,
    MeanSquaredError,
)
from .metric import Metric
from .metrics import BUILTIN_METRICS, Accuracy, MeanAbsoluteErrorMetric, R2Score
from .optimizer import Optimizer
from .optimizers import BUILTIN_OPTIMIZERS, SGD, Adagrad, Adam, AdamW, RMSprop
from .schedule import Schedule
from .schedules import BUILTIN_SCHEDULES, Constant, CosineDecay, ExponentialDecay, StepDecay
from .training import Trainer, default_metrics

__all__ = [
    "BUILTIN_LAYERS",
    "BUILTIN_LOSSES",
    "BUILTIN_METRICS",
    "BUILTIN_OPTIMIZERS",
    "BUILTIN_SCHEDULES",
    "SGD",
    "Accuracy",
    "Adagrad",
    "Adam",
    "AdamW",
    "BatchEvent",
    "BinaryCrossentropy",
    "Callback",
    "CategoricalCrossentropy",
    "ConfigError",
    "Constant",
    "CosineDecay",
    "EarlyStopping",
    "EngineError",
    "EpochEvent",
    "ExponentialDecay",
    "GraphError",
    "History",
    "Huber",
    "Input",
    "Layer",
    "LayerError",
    "Loss",
    "MeanAbsoluteError",
    "MeanAbsoluteErrorMetric",
    "MeanSquaredError",
    "Metric",
    "Model",
    "NodeSpec",
    "NonFiniteLossError",
    "Optimizer",
    "R2Score",
    "RMSprop",
    "RunInfo",
    "RunResult",
    "Schedule",
    "ShapeError",
    "StepDecay",
    "Trainer",
    "TrainingControl",
    "default_metrics",
    "stack",
]
