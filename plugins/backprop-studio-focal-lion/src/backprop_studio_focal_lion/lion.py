"""Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms").

    c <- beta_1 m + (1 - beta_1) g;   p <- p - lr (sign(c) + wd p);   m <- beta_2 m + (1 - beta_2) g

Every step has the same size per entry (the sign), so Lion wants a learning rate 3-10x smaller
than Adam's; its weight decay is decoupled (applied to the weights, not added to the gradient).
"""

import numpy as np

from desktop_app.engine.optimizer import BASE_SCHEMA, Optimizer
from desktop_app.engine.schema import ParamSpec, schema


class Lion(Optimizer):
    type_name = "lion"
    description = "Lion: steps by the sign of an interpolated momentum; use a small learning rate."
    schema = schema(
        ParamSpec("learning_rate", "float", 1e-4, "step size (about a tenth of Adam's)", minimum=0.0),
        [spec for spec in BASE_SCHEMA if spec.name != "learning_rate"],
        ParamSpec("beta_1", "float", 0.9, "weight of the momentum in the step's direction",
                  minimum=0.0, maximum=1.0),
        ParamSpec("beta_2", "float", 0.99, "decay of the momentum", minimum=0.0, maximum=1.0),
    )
    couples_weight_decay = False

    def init_slots(self, param: np.ndarray) -> dict[str, np.ndarray]:
        return {"momentum": np.zeros_like(param)}

    def update(self, param: np.ndarray, grad: np.ndarray, slots: dict[str, np.ndarray], lr: float) -> None:
        beta_1, beta_2, decay = self.config["beta_1"], self.config["beta_2"], self.config["weight_decay"]
        momentum = slots["momentum"]
        step = np.sign(momentum * beta_1 + grad * (1 - beta_1))
        if decay:
            param *= 1 - lr * decay
        param -= lr * step
        momentum *= beta_2
        momentum += (1 - beta_2) * grad
