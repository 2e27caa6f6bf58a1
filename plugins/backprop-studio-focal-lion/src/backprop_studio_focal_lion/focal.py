"""Focal loss on softmax logits (Lin et al., 2017): cross-entropy that fades on easy examples.

Per sample, with p_t the softmax probability of the true class:

    L = -alpha (1 - p_t)^gamma log p_t

and, with z the logits and dL/dp_t = alpha [gamma (1-p_t)^(gamma-1) log p_t - (1-p_t)^gamma / p_t],
dp_t/dz_j = p_t (1[j = t] - p_j), so

    dL/dz_j = alpha [gamma (1-p_t)^(gamma-1) p_t log p_t - (1-p_t)^gamma] (1[j = t] - p_j).
"""

import numpy as np

from desktop_app.engine.errors import ShapeError
from desktop_app.engine.loss import Loss
from desktop_app.engine.losses import class_labels
from desktop_app.engine.numerics import log_softmax, softmax
from desktop_app.engine.schema import ParamSpec, schema


class FocalLoss(Loss):
    type_name = "focal"
    description = "Focal loss on logits: cross-entropy down-weighting well-classified examples."
    task = "classification"
    schema = schema(
        ParamSpec("gamma", "float", 2.0, "focusing strength; 0 gives plain cross-entropy",
                  minimum=0.0, maximum=10.0),
        ParamSpec("alpha", "float", 1.0, "overall weight of the loss", minimum=0.0),
    )

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        if pred.ndim != 2:
            raise ShapeError(
                f"{self.kind_name()}: expects logits of shape (batch, classes). "
                f"Received predictions of shape {pred.shape}"
            )
        target = np.asarray(target)
        if target.shape == pred.shape:  # one-hot
            target = target.argmax(axis=1)
        labels = class_labels(self.kind_name(), target, pred.shape)
        log_probs = log_softmax(pred, axis=1)
        rows = np.arange(len(pred))
        log_pt = log_probs[rows, labels]
        pt = np.exp(log_pt)
        gamma, alpha = self.config["gamma"], self.config["alpha"]
        # 1 - p_t floored at the dtype's tiny, so (1 - p_t)^(gamma - 1) stays finite when p_t = 1
        rest = np.maximum(1 - pt, np.finfo(pred.dtype).tiny)
        self._probs, self._rows, self._labels = np.exp(log_probs), rows, labels
        self._scale = alpha * (gamma * rest ** (gamma - 1) * pt * log_pt - rest**gamma)
        return float(-alpha * (rest**gamma * log_pt).sum()) / len(pred)

    def backward(self) -> np.ndarray:
        indicator_minus_p = -self._probs
        indicator_minus_p[self._rows, self._labels] += 1
        return indicator_minus_p * (self._scale[:, None] / len(self._probs))

    def predict(self, output: np.ndarray) -> np.ndarray:
        """Softmax probabilities per row."""
        return softmax(output, axis=-1)
