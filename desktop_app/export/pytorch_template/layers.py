"""Layers of Backprop Studio that PyTorch has no module for: merges, reshaping, and average pooling
over 'same' padding that leaves the padding out of each window's mean."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Add(nn.Module):
    """Element-wise sum of two or more inputs (residual connections)."""

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        total = inputs[0] + inputs[1]
        for x in inputs[2:]:
            total = total + x
        return total


class Concatenate(nn.Module):
    """Joins the inputs along ``dim`` (counted with the batch axis)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return torch.cat(inputs, dim=self.dim)


class Reshape(nn.Module):
    """Each sample rearranged into ``shape`` (batch excluded)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)


class PaddedAvgPool2d(nn.Module):
    """Average pooling over zero-padded input that divides each window by its real pixels only.

    ``padding`` is (left, right, top, bottom), as ``F.pad`` takes it; ``input_size`` (H, W) fixes
    how many real pixels each window covers.
    """

    def __init__(self, kernel_size: tuple[int, int], stride: tuple[int, int],
                 padding: tuple[int, int, int, int], input_size: tuple[int, int]) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        covered = F.avg_pool2d(F.pad(torch.ones(1, 1, *input_size, dtype=torch.float64), padding),
                               kernel_size, stride, divisor_override=1)
        self.register_buffer("inverse_counts", 1.0 / covered[0, 0], persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        total = F.avg_pool2d(F.pad(x, self.padding), self.kernel_size, self.stride, divisor_override=1)
        return total * self.inverse_counts
