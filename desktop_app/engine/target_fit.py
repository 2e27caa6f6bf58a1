"""The one check of whether targets fit a loss and a model's output, and the layout they take.

Two callers hold targets in different forms: the data layer knows a dataset's class names (or
that it holds regression values), the trainer sees only arrays. Each describes its targets as a
``TargetForm`` and asks ``target_layout``, so the window, a project's run and ``Trainer.fit``
accept and refuse by the same rules, in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from .errors import ShapeError
from .loss import Task

FormKind = Literal["labels", "values", "encoded"]
# How targets reach the loss: class indices (N,), one-hot rows (N, C), a 0/1 column (N, 1), or
# as they are (values shaped like the output).
Layout = Literal["labels", "one_hot", "column", "values"]
Part = Literal["loss", "output_shape"]


@dataclass(frozen=True)
class TargetForm:
    """What targets hold, per sample.

    ``labels``: integer labels of ``classes`` classes; ``only_seen`` when the count is read from
    the labels themselves (the highest plus one), so more classes may exist than appear.
    ``values``: regression values of ``shape``. ``encoded``: targets already in a classification
    or binary loss's layout (one-hot rows, 0/1 columns) of ``shape``.
    """

    kind: FormKind
    classes: int = 0
    shape: tuple[int, ...] = ()
    only_seen: bool = False

    @classmethod
    def labels(cls, classes: int, only_seen: bool = False) -> TargetForm:
        return cls("labels", classes=classes, only_seen=only_seen)

    @classmethod
    def values(cls, shape: tuple[int, ...]) -> TargetForm:
        return cls("values", shape=tuple(shape))

    @classmethod
    def encoded(cls, shape: tuple[int, ...]) -> TargetForm:
        return cls("encoded", shape=tuple(shape))


class TargetMismatch(ShapeError):
    """Targets that do not fit; ``part`` is what to change: the loss or the output's shape (the
    data layer points the window's setting at it)."""

    def __init__(self, message: str, part: Part) -> None:
        super().__init__(message)
        self.part = part


def target_layout(form: TargetForm, task: Task, output_shape: tuple[int, ...], subject: str) -> Layout:
    """How targets of ``form`` reach a ``task`` loss on a model with ``output_shape``, or a
    TargetMismatch saying in one line why they cannot. ``subject`` names the targets' owner
    ("dataset 'iris'", "training data") at the head of the message.

    Labels go to a classification loss as labels, to a binary or regression loss as one-hot rows
    (or one 0/1 column for two classes and one output). Regression values need a regression loss
    and an output of their shape; encoded targets need an output of their shape.
    """
    output_shape = tuple(output_shape)
    received = f"Received model output shape {output_shape}"
    if form.kind == "labels":
        return _labels_layout(form, task, output_shape, subject, received)
    if form.kind == "values" and task != "regression":
        raise TargetMismatch(f"{subject} holds regression targets; a {task} loss needs class labels", "loss")
    if task == "classification" and len(output_shape) != 1:
        raise TargetMismatch(f"{subject}: a classification loss needs a model output of shape (classes,). "
                             f"{received}", "output_shape")
    if form.shape == output_shape or (form.shape == () and output_shape == (1,)):
        return "values"
    expected = form.shape or (1,)
    if form.kind == "values":
        raise TargetMismatch(f"{subject} has targets of shape {expected}; the model must output that "
                             f"shape. {received}", "output_shape")
    raise TargetMismatch(f"{subject} holds one-hot or 0/1 targets of shape {expected}, so the model must "
                         f"output that shape for a {task} loss. {received}", "output_shape")


def _labels_layout(form: TargetForm, task: Task, output_shape: tuple[int, ...], subject: str,
                   received: str) -> Layout:
    classes = form.classes
    # Two classes (or, read from labels, no more than two seen) may go to one 0/1 output.
    two_way = task != "classification" and (classes == 2 or (form.only_seen and classes < 2))
    if output_shape == (1,) and two_way:
        return "column"
    width = output_shape[0] if len(output_shape) == 1 else 0
    if width == classes or (form.only_seen and width > classes):
        return "labels" if task == "classification" else "one_hot"
    wanted = f"({classes},) or (1,)" if two_way else f"({classes},)"
    if form.only_seen:
        hint = "; integer targets are class labels: pass floats for regression values" \
            if task == "regression" else ""
        raise TargetMismatch(
            f"{subject} holds class labels up to {classes - 1}, so the model must output shape {wanted} "
            f"(or more classes) for a {task} loss{hint}. {received}", "output_shape")
    raise TargetMismatch(f"{subject} has {classes} classes, so the model must output shape {wanted} for a "
                         f"{task} loss. {received}", "output_shape")


def encoded_labels(labels: np.ndarray, layout: Layout, output_shape: tuple[int, ...],
                   dtype: np.dtype | str) -> np.ndarray:
    """Class labels (N,) in ``layout``: as they are, one 0/1 column, or one-hot rows as wide as the output."""
    if layout == "labels":
        return labels
    if layout == "column":
        return labels.astype(dtype).reshape(-1, 1)
    return np.eye(output_shape[0], dtype=dtype)[labels]
