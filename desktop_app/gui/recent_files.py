"""The Open Recent list, kept in the app's QSettings (newest first, no duplicates)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

KEY = "recent_files"
LIMIT = 10


class RecentFiles:
    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def paths(self) -> list[Path]:
        """The remembered files that still exist."""
        stored = self._settings.value(KEY, [])
        if isinstance(stored, str):  # QSettings returns a single-item list as a string
            stored = [stored]
        return [Path(p) for p in stored or [] if Path(p).is_file()]

    def add(self, path: Path) -> None:
        resolved = path.resolve()
        kept = [p for p in self.paths() if p.resolve() != resolved]
        self._settings.setValue(KEY, [str(p) for p in [resolved, *kept][:LIMIT]])

    def clear(self) -> None:
        self._settings.remove(KEY)
