"""Focal loss and Lion in PyTorch, for Backprop Studio's PyTorch export (``register_pytorch_code``).

The app never imports this file: the export copies its text into the exported project. The loss is
built with its config as keyword arguments; the optimizer as ``Lion(parameters, lr=..., **config)``
(the exported train.py clips gradients by the app's rule before each step).
"""

import torch
from torch import nn


class FocalLoss(nn.Module):
    """-alpha (1 - p_t)^gamma log p_t per sample, averaged; 1 - p_t floored at the dtype's tiny."""

    def __init__(self, gamma: float = 2.0, alpha: float = 1.0) -> None:
        super().__init__()
        self.gamma, self.alpha = gamma, alpha

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if target.shape == logits.shape:  # one-hot rows
            target = target.argmax(dim=1)
        log_pt = torch.log_softmax(logits, dim=1).gather(1, target.reshape(-1, 1).long()).squeeze(1)
        rest = torch.clamp(1 - log_pt.exp(), min=torch.finfo(logits.dtype).tiny)
        return -self.alpha * (rest**self.gamma * log_pt).sum() / len(logits)


class Lion(torch.optim.Optimizer):
    """c = beta_1 m + (1 - beta_1) g;  p <- p (1 - lr wd) - lr sign(c);  m <- beta_2 m + (1 - beta_2) g."""

    def __init__(self, params, lr: float = 1e-4, weight_decay: float = 0.0, beta_1: float = 0.9,
                 beta_2: float = 0.99) -> None:
        super().__init__(params, {"lr": lr, "weight_decay": weight_decay, "beta_1": beta_1, "beta_2": beta_2})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            lr, decay, beta_1, beta_2 = group["lr"], group["weight_decay"], group["beta_1"], group["beta_2"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                momentum = self.state[p].setdefault("momentum", torch.zeros_like(p))
                step = torch.sign(momentum * beta_1 + p.grad * (1 - beta_1))
                if decay:
                    p.mul_(1 - lr * decay)
                p.sub_(lr * step)
                momentum.mul_(beta_2).add_((1 - beta_2) * p.grad)
