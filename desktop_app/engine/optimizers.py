"""The built-in optimizers: each updates one parameter in place from its gradient.

Weight decay and clipping by global norm come from the base class (see ``optimizer.py``): the
gradient an ``update`` receives is already clipped and, except for AdamW, already carries the L2
term. Updates work in the parameter's dtype with Python-float coefficients (no float64 upcast) and
reuse one scratch array per update where the rule needs one.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .errors import ConfigError
from .optimizer import BASE_SCHEMA, Optimizer
from .schema import ParamSpec, Schema, schema


def _with_defaults(base: Schema, **defaults: float) -> Schema:
    """``base`` with some defaults changed (Adam's customary learning rate is not SGD's)."""
    return Schema(tuple(
        dataclasses.replace(spec, default=defaults[spec.name]) if spec.name in defaults else spec
        for spec in base
    ))


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum, as PyTorch defines it.

    v <- momentum * v + g;  p <- p - lr * v  (Nesterov: p <- p - lr * (g + momentum * v)).
    """

    type_name = "sgd"
    description = "Stochastic gradient descent with optional momentum and Nesterov momentum."
    schema = schema(
        BASE_SCHEMA,
        ParamSpec("momentum", "float", 0.0, "fraction of the previous step kept", minimum=0.0, maximum=0.999),
        ParamSpec("nesterov", "bool", False, "look-ahead momentum (needs momentum > 0)"),
    )

    def __init__(self, **config) -> None:
        super().__init__(**config)
        if self.config["nesterov"] and not self.config["momentum"]:
            raise ConfigError("sgd: nesterov needs momentum > 0. Received: momentum=0.0, nesterov=True")

    def init_slots(self, param: np.ndarray) -> dict[str, np.ndarray]:
        return {"velocity": np.zeros_like(param)} if self.config["momentum"] else {}

    def update(self, param: np.ndarray, grad: np.ndarray, slots: dict[str, np.ndarray], lr: float) -> None:
        momentum = self.config["momentum"]
        if not momentum:
            param -= lr * grad
            return
        velocity = slots.get("velocity")
        if velocity is None:  # momentum turned on during a run
            velocity = slots["velocity"] = np.zeros_like(param)
        velocity *= momentum
        velocity += grad
        if not self.config["nesterov"]:
            param -= lr * velocity
            return
        step = velocity * momentum
        step += grad
        step *= lr
        param -= step


_EPSILON_DOC = "a tiny number that keeps steps finite where gradients are near zero"

ADAM_SCHEMA = schema(
    _with_defaults(BASE_SCHEMA, learning_rate=0.001),
    ParamSpec("beta_1", "float", 0.9, "how much of the gradient's running average each step keeps "
              "(momentum)", minimum=0.0, maximum=0.9999),
    ParamSpec("beta_2", "float", 0.999, "how much of the squared gradient's running average each step "
              "keeps: near 1, the step sizes adapt slowly",
              minimum=0.0, maximum=0.99999),
    ParamSpec("epsilon", "float", 1e-7, _EPSILON_DOC, minimum=0.0),
)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction, in the paper's efficient form.

    m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;
    p <- p - lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps * sqrt(1-b2^t)),
    which equals lr * m_hat / (sqrt(v_hat) + eps) exactly.
    """

    type_name = "adam"
    description = "Adam: per-parameter step sizes from running means of the gradient and its square."
    schema = ADAM_SCHEMA

    def init_slots(self, param: np.ndarray) -> dict[str, np.ndarray]:
        return {"m": np.zeros_like(param), "v": np.zeros_like(param)}

    def update(self, param: np.ndarray, grad: np.ndarray, slots: dict[str, np.ndarray], lr: float) -> None:
        beta_1, beta_2 = self.config["beta_1"], self.config["beta_2"]
        m, v = slots["m"], slots["v"]
        t = self.iterations
        correction_2 = math.sqrt(1.0 - beta_2**t)
        scratch = grad - m  # m += (1-b1) (g - m)
        scratch *= 1.0 - beta_1
        m += scratch
        np.multiply(grad, grad, out=scratch)  # v += (1-b2) (g^2 - v)
        scratch -= v
        scratch *= 1.0 - beta_2
        v += scratch
        np.sqrt(v, out=scratch)
        scratch += self.config["epsilon"] * correction_2
        np.divide(m, scratch, out=scratch)
        scratch *= lr * correction_2 / (1.0 - beta_1**t)
        param -= scratch


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019): p <- p (1 - lr * wd), then Adam.

    The decay shrinks the weights directly instead of entering the gradient, so Adam's per-parameter
    scaling does not weaken it.
    """

    type_name = "adamw"
    description = "Adam with decoupled weight decay applied to the weights, not the gradient."
    schema = _with_defaults(ADAM_SCHEMA, weight_decay=0.01)
    couples_weight_decay = False

    def update(self, param: np.ndarray, grad: np.ndarray, slots: dict[str, np.ndarray], lr: float) -> None:
        decay = self.config["weight_decay"]
        if decay:
            param *= 1.0 - lr * decay
        super().update(param, grad, slots, lr)


class RMSprop(Optimizer):
    """RMSprop (Hinton): v <- rho v + (1-rho) g^2;  p <- p - lr * g / (sqrt(v) + eps)."""

    type_name = "rmsprop"
    description = "RMSprop: divides each step by a running root-mean-square of recent gradients."
    schema = schema(
        _with_defaults(BASE_SCHEMA, learning_rate=0.001),
        ParamSpec("rho", "float", 0.9, "how much of the squared gradient's running average each step keeps",
                  minimum=0.0, maximum=0.9999),
        ParamSpec("epsilon", "float", 1e-7, _EPSILON_DOC, minimum=0.0),
    )

    def init_slots(self, param: np.ndarray) -> dict[str, np.ndarray]:
        return {"v": np.zeros_like(param)}

    def update(self, param: np.ndarray, grad: np.ndarray, slots: dict[str, np.ndarray], lr: float) -> None:
        v = slots["v"]
        scratch = grad * grad  # v += (1-rho) (g^2 - v)
        scratch -= v
        scratch *= 1.0 - self.config["rho"]
        v += scratch
        _divide_by_root(param, grad, v, scratch, lr, self.config["epsilon"])


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011): G <- G + g^2;  p <- p - lr * g / (sqrt(G) + eps)."""

    type_name = "adagrad"
    description = "Adagrad: step sizes shrink with the sum of each parameter's squared gradients."
    schema = schema(
        BASE_SCHEMA,
        ParamSpec("initial_accumulator", "float", 0.1, "starting value of the squared-gradient sum",
                  minimum=0.0),
        ParamSpec("epsilon", "float", 1e-7, _EPSILON_DOC, minimum=0.0),
    )

    def init_slots(self, param: np.ndarray) -> dict[str, np.ndarray]:
        return {"sum": np.full_like(param, self.config["initial_accumulator"])}

    def update(self, param: np.ndarray, grad: np.ndarray, slots: dict[str, np.ndarray], lr: float) -> None:
        total = slots["sum"]
        scratch = grad * grad
        total += scratch
        _divide_by_root(param, grad, total, scratch, lr, self.config["epsilon"])


def _divide_by_root(
    param: np.ndarray, grad: np.ndarray, accumulator: np.ndarray, scratch: np.ndarray, lr: float, eps: float
) -> None:
    """param -= lr * grad / (sqrt(accumulator) + eps), computed in ``scratch``."""
    np.sqrt(accumulator, out=scratch)
    scratch += eps
    np.divide(grad, scratch, out=scratch)
    scratch *= lr
    param -= scratch


BUILTIN_OPTIMIZERS: tuple[type[Optimizer], ...] = (SGD, Adam, AdamW, RMSprop, Adagrad)
