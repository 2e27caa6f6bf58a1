"""The one lifecycle every pluggable piece shares: a schema-checked config that round-trips."""

from __future__ import annotations

from typing import Any, ClassVar

from .schema import Schema


class Component:
    """Base of layers, losses, optimizers and schedules.

    Subclasses set ``type_name`` (the name project files and the registry use), a one-line
    ``description`` (shown in the palette) and ``schema`` (a Schema of its hyperparameters).
    ``__init__(**config)`` validates the config, fills defaults and keeps it in ``self.config``;
    ``get_config`` returns it so ``cls(**obj.get_config())`` rebuilds an equal object.
    """

    type_name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    category: ClassVar[str] = "Other"
    schema: ClassVar[Schema] = Schema()

    def __init__(self, **config: Any) -> None:
        self.config: dict[str, Any] = self.schema.resolve(self.kind_name(), config)

    @classmethod
    def kind_name(cls) -> str:
        """The registered type name, or the class name before registration."""
        return cls.type_name or cls.__name__

    def get_config(self) -> dict[str, Any]:
        return dict(self.config)

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.config.items())
        return f"{self.kind_name()}({args})"
