"""Focal loss and the Lion optimizer for Backprop Studio (the plugin's hooks are in ``plugin``)."""

from .focal import FocalLoss
from .lion import Lion

__all__ = ["FocalLoss", "Lion"]
