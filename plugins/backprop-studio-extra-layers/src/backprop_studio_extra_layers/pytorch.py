"""Swish and LayerNorm in PyTorch, for Backprop Studio's PyTorch export (``register_pytorch_code``).

The app never imports this file: the export copies its text into the exported project. Each class
is built with the layer's config as keyword arguments and ``input_shapes`` (one per input, batch
excluded); its parameters carry the engine's names and shapes, so the weights map one to one.
"""

import torch
from torch import nn


class Swish(nn.Module):
    """x * sigmoid(beta * x)."""

    def __init__(self, beta: float = 1.0, input_shapes: list[tuple[int, ...]] | None = None) -> None:
        super().__init__()
        self.beta = beta

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(self.beta * x)


class LayerNorm(nn.Module):
    """Normalizes the last axis (biased variance, epsilon inside the root), then gamma * x + beta."""

    def __init__(self, epsilon: float = 1e-5, input_shapes: list[tuple[int, ...]] | None = None) -> None:
        super().__init__()
        features = input_shapes[0][-1]
        self.epsilon = epsilon
        self.gamma = nn.Parameter(torch.ones(features))
        self.beta = nn.Parameter(torch.zeros(features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.layer_norm(x, x.shape[-1:], self.gamma, self.beta, self.epsilon)
