"""The error a project file raises: names the file and, where it can, the JSON path of the problem."""

from __future__ import annotations


class ProjectError(ValueError):
    """A project that cannot be opened or run: bad JSON, schema violation, unknown version or type."""

    def __init__(self, message: str, path: str | None = None, json_path: str | None = None) -> None:
        prefix = ": ".join(part for part in (path, json_path) if part)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.path = path
        self.json_path = json_path
