"""BatchNorm: normalizes each feature (N, F) or channel (N, C, H, W) to zero mean and unit variance,
then scales and shifts it by learned gamma and beta.

Training mode normalizes with the batch's own statistics (the biased variance, ÷n) and folds them
into running averages; evaluation mode uses the running averages, so a single sample gets a
deterministic answer. The running variance averages the unbiased batch variance (÷(n − 1)), as
PyTorch's does, since it estimates the variance of all the data rather than of one batch. The
running averages live in ``self.state`` and are saved with the weights.
"""

from __future__ import annotations

import numpy as np

from ..layer import Layer, Shape
from ..schema import ParamSpec, schema


class BatchNorm(Layer):
    """Chain rule with g = dL/dy, x̂ the normalized x, σ its divisor, Σ and means per feature:

    dβ = Σg, dγ = Σg·x̂, dx = (γ/σ)·(g − mean(g) − x̂·mean(g·x̂)) (in evaluation, dx = γ·g/σ)
    """

    type_name = "BatchNorm"
    category = "Normalization"
    description = "Normalizes each feature or channel over the batch, then rescales it (faster training)."
    schema = schema(
        ParamSpec("momentum", "float", 0.9,
                  "how slowly the averages used for predictions follow the batches: "
                  "new = momentum·old + (1 − momentum)·batch (PyTorch's momentum is 1 − this)",
                  minimum=0.0, maximum=1.0),
        ParamSpec("epsilon", "float", 1e-5, "added to the variance to avoid dividing by zero",
                  minimum=1e-12),
    )

    caches = ("_training", "_inv_std", "_normalized")

    def output_shape(self, *input_shapes: Shape) -> Shape:
        if len(input_shapes[0]) not in (1, 3):
            raise self.shape_error(
                "expected samples of shape (features,) or (channels, height, width)", *input_shapes
            )
        return input_shapes[0]

    def weight_shapes(self, *input_shapes: Shape) -> dict[str, Shape]:
        features = (input_shapes[0][0],)
        return {"gamma": features, "beta": features, "running_mean": features, "running_var": features}

    def build(self, *input_shapes: Shape, rng: np.random.Generator) -> None:
        shape = input_shapes[0]
        features = shape[0]
        self._axes = (0,) if len(shape) == 1 else (0, 2, 3)
        self._broadcast = (1, features) if len(shape) == 1 else (1, features, 1, 1)
        self.add_param("gamma", np.ones(features))
        self.add_param("beta", np.zeros(features))
        self.add_state("running_mean", np.zeros(features))
        self.add_state("running_var", np.ones(features))

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if training:
            mean = x.mean(axis=self._axes, keepdims=True)
            centered = x - mean
            var = np.mean(centered * centered, axis=self._axes, keepdims=True)
            self._update_running(mean, var, x.size // x.shape[1])
        else:
            mean = self.state["running_mean"].reshape(self._broadcast)
            var = self.state["running_var"].reshape(self._broadcast)
            centered = x - mean
        self._training = training
        self._inv_std = 1.0 / np.sqrt(var + self.config["epsilon"])
        self._normalized = centered * self._inv_std
        return self._normalized * self.params["gamma"].reshape(self._broadcast) + self.params[
            "beta"
        ].reshape(self._broadcast)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None]:
        normalized = self._normalized
        np.sum(grad, axis=self._axes, out=self.grads["beta"])
        np.sum(grad * normalized, axis=self._axes, out=self.grads["gamma"])
        if not self.input_grad_needed:
            return (None,)
        dnormalized = grad * self.params["gamma"].reshape(self._broadcast)
        if not self._training:
            return (dnormalized * self._inv_std,)
        # The batch mean and variance depend on every sample: their paths subtract these two means.
        mean_d = dnormalized.mean(axis=self._axes, keepdims=True)
        mean_dn = np.mean(dnormalized * normalized, axis=self._axes, keepdims=True)
        return (self._inv_std * (dnormalized - mean_d - normalized * mean_dn),)

    def _update_running(self, mean: np.ndarray, biased_var: np.ndarray, count: int) -> None:
        """Fold the batch's mean and unbiased variance into the running averages; ``count`` values
        per feature. A batch with one value per feature says nothing about the spread, so it leaves
        the running variance alone."""
        updates = [("running_mean", mean)]
        if count > 1:
            updates.append(("running_var", biased_var * (count / (count - 1))))
        momentum = self.config["momentum"]
        for name, batch_value in updates:
            running = self.state[name]
            running *= momentum
            running += (1.0 - momentum) * batch_value.reshape(running.shape)
