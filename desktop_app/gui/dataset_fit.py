"""The graph checked against the loaded dataset and the training settings, live, like shapes.

A network that builds can still be unable to train: an Input that takes other samples than the
dataset has, an output with another number of classes, a loss or metric for another kind of task.
``build_run`` refuses these at Train; here they are found after every change and shown where they
are fixed (on the node, or for the loss and metrics in the status bar and the Train button's tip),
with the words of the data preparation that would refuse them.
"""

from __future__ import annotations

from ..data.dataset import Dataset
from ..data.errors import DataError
from ..data.preprocess import format_targets
from ..engine.graph import NodeSpec
from ..project.document import Project
from ..project.run import metric_task_problem
from ..registry import Registry
from .validation import Validation

TRAINING_TAB = "choose another in the Inspector's Training tab"


def check_against_dataset(validation: Validation, project: Project, specs: list[NodeSpec],
                          dataset: Dataset, registry: Registry) -> None:
    """Add to ``validation`` what keeps the built network from training on ``dataset``."""
    for spec in specs:
        shape = tuple(spec.config.get("shape", ()))
        if spec.type == "Input" and spec.name not in validation.errors and shape != dataset.sample_shape:
            validation.errors[spec.name] = (
                f"node '{spec.name}' (Input): the dataset '{dataset.name}' has samples of shape "
                f"{dataset.sample_shape}. Received: input shape {shape}")
    loss_cls = registry.losses.get(project.training.loss.type)
    outputs = tuple(project.outputs) or validation.outputs
    if loss_cls is None or validation.errors or validation.general_error or len(outputs) != 1:
        return
    output = outputs[0]
    shape = validation.shapes[output]
    try:
        format_targets(dataset.y[:1], dataset, loss_cls.task, shape, project.dataset.one_hot)
    except DataError as error:
        if error.setting == "output_shape":
            kind = next(spec.type for spec in specs if spec.name == output)
            validation.errors[output] = f"node '{output}' ({kind}), the network's output: {error}"
        else:
            validation.general_error = f"the loss '{project.training.loss.type}' does not fit: {error}: " \
                                       f"{TRAINING_TAB}"
        return
    problem = metric_task_problem(project, loss_cls.task, registry)
    if problem is not None:
        validation.general_error = f"{problem[1]}: {TRAINING_TAB}"
