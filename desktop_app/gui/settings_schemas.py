"""Schemas of the project's own settings (training loop, dataset preprocessing), so the same
generated forms edit them as edit layers. Defaults are the project format's."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..data.preprocess import SCALINGS
from ..engine.schema import ParamSpec, schema
from ..project.document import DatasetRef, TrainingSettings


def _default(cls: type, name: str) -> Any:
    return {f.name: f.default for f in dataclasses.fields(cls)}[name]


TRAINING_SCHEMA = schema(
    ParamSpec("epochs", "int", _default(TrainingSettings, "epochs"), "passes over the training data",
              minimum=1),
    ParamSpec("batch_size", "int", _default(TrainingSettings, "batch_size"),
              "samples per gradient step", minimum=1),
    ParamSpec("validation_split", "float", _default(TrainingSettings, "validation_split"),
              "fraction of the samples held out for validation", minimum=0.0, maximum=0.95),
    ParamSpec("shuffle", "bool", _default(TrainingSettings, "shuffle"), "shuffle the samples every epoch"),
    ParamSpec("seed", "int", _default(TrainingSettings, "seed"),
              "seed of the weights, the split and the shuffling", minimum=0),
)

PREPROCESSING_SCHEMA = schema(
    ParamSpec("scaling", "choice", _default(DatasetRef, "scaling"),
              "feature scaling fitted on the training split", choices=SCALINGS),
    ParamSpec("one_hot", "bool", _default(DatasetRef, "one_hot"), "encode class labels as one-hot rows"),
)
