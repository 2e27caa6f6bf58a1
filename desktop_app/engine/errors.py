"""Errors the engine raises: each names what the user has to fix (node, layer, shapes, parameter)."""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the engine raises on bad input or a failed run."""


class ConfigError(EngineError, ValueError):
    """A layer, loss or optimizer got a parameter it cannot use (wrong type, out of range, unknown)."""


class GraphError(EngineError):
    """The model graph cannot be built: a cycle, a dangling input, an unknown type, bad shapes."""

    def __init__(self, message: str, node: str | None = None) -> None:
        super().__init__(message)
        self.node = node


class ShapeError(GraphError):
    """A layer cannot accept the shapes it is given."""


class LayerError(EngineError):
    """A layer raised while the model ran; names the node and its layer type."""

    def __init__(self, node: str, layer_type: str, phase: str, cause: BaseException) -> None:
        self.node = node
        self.layer_type = layer_type
        self.phase = phase
        self.cause = cause
        super().__init__(
            f"layer '{node}' ({layer_type}) failed in {phase}: {type(cause).__name__}: {cause}"
        )


class NonFiniteLossError(EngineError):
    """Training produced a NaN or infinite loss or gradient; the model keeps its last finite weights."""

    def __init__(self, epoch: int, batch: int, what: str) -> None:
        self.epoch = epoch
        self.batch = batch
        super().__init__(
            f"{what} became non-finite at epoch {epoch}, batch {batch}; "
            "training stopped and the weights are those of the last finite step "
            "(try a lower learning rate or gradient clipping)"
        )
