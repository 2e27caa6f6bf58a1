"""Parameter schemas: what a layer, loss or optimizer accepts, for validation, project files and GUI forms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import ConfigError

ParamKind = Literal["int", "float", "bool", "choice", "str", "int_tuple"]


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: its name, kind, default and allowed values.

    ``default`` is the value used when the parameter is omitted. A ``required`` parameter has no
    usable default: omitting it is an error, and ``default`` is only the value a form starts from.
    ``int_tuple`` values are tuples of ints; ``length`` fixes their length (None: any length >= 1).
    """

    name: str
    kind: ParamKind
    default: Any
    doc: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    length: int | None = None
    required: bool = False

    def validate(self, value: Any, owner: str) -> Any:
        """Return ``value`` coerced to this kind, or raise ConfigError naming ``owner`` and the value."""
        where = f"{owner}: parameter '{self.name}'"
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ConfigError(f"{where} must be true or false. Received: {value!r}")
            return value
        if self.kind == "choice":
            if value not in self.choices:
                raise ConfigError(f"{where} must be one of {list(self.choices)}. Received: {value!r}")
            return value
        if self.kind == "str":
            if not isinstance(value, str):
                raise ConfigError(f"{where} must be a string. Received: {value!r}")
            return value
        if self.kind == "int_tuple":
            return self._validate_tuple(value, where)
        return self._check_range(self._number(value, where), where)

    def _number(self, value: Any, where: str) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where} must be a {self.kind}. Received: {value!r}")
        if self.kind == "int":
            if isinstance(value, float) and not value.is_integer():
                raise ConfigError(f"{where} must be a whole number. Received: {value!r}")
            return int(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise ConfigError(f"{where} must be finite. Received: {value!r}")
        return float(value)

    def _check_range(self, value: int | float, where: str) -> int | float:
        if self.minimum is not None and value < self.minimum:
            raise ConfigError(f"{where} must be >= {self.minimum}. Received: {value!r}")
        if self.maximum is not None and value > self.maximum:
            raise ConfigError(f"{where} must be <= {self.maximum}. Received: {value!r}")
        return value

    def _validate_tuple(self, value: Any, where: str) -> tuple[int, ...]:
        if isinstance(value, int) and not isinstance(value, bool) and self.length is not None:
            value = (value,) * self.length
        if not isinstance(value, (list, tuple)) or not value:
            raise ConfigError(f"{where} must be a list of whole numbers. Received: {value!r}")
        if self.length is not None and len(value) != self.length:
            raise ConfigError(f"{where} must have {self.length} entries. Received: {value!r}")
        items = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int):
                raise ConfigError(f"{where} must hold whole numbers only. Received: {value!r}")
            items.append(self._check_range(item, where))
        return tuple(items)

    def to_json(self) -> dict[str, Any]:
        """The spec as plain JSON (for the GUI form, the JSON Schema and `plugins list --json`)."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "default": _jsonable(self.default)}
        for key in ("doc", "minimum", "maximum", "length"):
            if getattr(self, key) not in (None, ""):
                out[key] = getattr(self, key)
        if self.choices:
            out["choices"] = list(self.choices)
        if self.required:
            out["required"] = True
        return out


@dataclass(frozen=True)
class Schema:
    """An ordered set of ParamSpecs with config resolution."""

    specs: tuple[ParamSpec, ...] = field(default_factory=tuple)

    def __iter__(self):
        return iter(self.specs)

    def names(self) -> list[str]:
        return [spec.name for spec in self.specs]

    def resolve(self, owner: str, given: Mapping[str, Any]) -> dict[str, Any]:
        """Validate ``given`` against the specs, fill defaults, reject unknown names."""
        known = {spec.name: spec for spec in self.specs}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise ConfigError(
                f"{owner}: unknown parameter(s) {unknown}. Expected some of: {sorted(known)}"
            )
        resolved: dict[str, Any] = {}
        for spec in self.specs:
            if spec.name in given and given[spec.name] is not None:
                resolved[spec.name] = spec.validate(given[spec.name], owner)
            elif spec.required:
                raise ConfigError(f"{owner}: missing required parameter '{spec.name}' ({spec.doc})")
            else:
                resolved[spec.name] = spec.default
        return resolved

    def defaults(self) -> dict[str, Any]:
        """The starting values a new instance or a form uses (required ones included)."""
        return {spec.name: spec.default for spec in self.specs}


def schema(*specs: ParamSpec | Iterable[ParamSpec]) -> Schema:
    """Build a Schema from specs or from other schemas' specs (to extend a base class's)."""
    flat: list[ParamSpec] = []
    for item in specs:
        flat.extend(item if isinstance(item, (Schema, list, tuple)) else [item])
    names = [spec.name for spec in flat]
    if len(names) != len(set(names)):
        raise ValueError(f"duplicate parameter names in schema: {names}")
    return Schema(tuple(flat))


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
